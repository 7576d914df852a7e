package io.weft.lab;

import org.junit.jupiter.api.Test;

import static io.weft.lab.LabOptions.Store.LOCAL;
import static io.weft.lab.LabOptions.Subnets.SAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabOptionsTest {
    @Test
    void boundsAreNamedByTheirField() {
        assertThatThrownBy(() -> new LabOptions(0, 2, LOCAL, false, SAME)).hasMessage("nodes: 0 is not in 1..200");
        assertThatThrownBy(() -> new LabOptions(3, 101, LOCAL, false, SAME)).hasMessage("pods: 101 is not in 0..100");
        assertThatThrownBy(() -> LabOptions.Store.parse("--store", "consul")).hasMessage("--store: \"consul\" is not local or etcd");
        assertThatThrownBy(() -> LabOptions.Subnets.parse("--subnets", "many")).hasMessage("--subnets: \"many\" is not same or split");
    }

    @Test
    void parsesWhatItPrints() {
        for (LabOptions.Store store : LabOptions.Store.values()) {
            assertThat(LabOptions.Store.parse("store", store.label())).isEqualTo(store);
        }
        for (LabOptions.Subnets subnets : LabOptions.Subnets.values()) {
            assertThat(LabOptions.Subnets.parse("subnets", subnets.label())).isEqualTo(subnets);
        }
    }
}
