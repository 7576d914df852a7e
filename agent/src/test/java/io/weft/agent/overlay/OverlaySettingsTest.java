package io.weft.agent.overlay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlaySettingsTest {
    @Test
    void defaultsAreFlannelsVxlanWithWeftsNames() {
        assertThat(OverlaySettings.defaults())
                .isEqualTo(new OverlaySettings(1, 8472, DirectRouting.AUTO, 201, "weft.1", TxChecksumOffload.AUTO));
    }

    @Test
    void refusesARouteProtocolTheKernelInterprets() {
        assertThatThrownBy(() -> new OverlaySettings(1, 8472, DirectRouting.AUTO, 4, "weft.1", TxChecksumOffload.AUTO))
                .hasMessage("route protocol 4 must be in 5..255: lower numbers are the kernel's own");
        assertThatThrownBy(() -> new OverlaySettings(1, 8472, DirectRouting.AUTO, 256, "weft.1", TxChecksumOffload.AUTO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAVniOrPortOutOfRange() {
        assertThatThrownBy(() -> new OverlaySettings(1 << 24, 8472, DirectRouting.AUTO, 201, "weft.1", TxChecksumOffload.AUTO))
                .hasMessage("VNI 16777216 is out of range 0..16777215");
        assertThatThrownBy(() -> new OverlaySettings(1, 0, DirectRouting.AUTO, 201, "weft.1", TxChecksumOffload.AUTO))
                .hasMessage("VXLAN port 0 is out of range 1..65535");
    }
}
