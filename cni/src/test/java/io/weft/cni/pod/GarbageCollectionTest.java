package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniResponse;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.IpAllocator;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;

import static io.weft.cni.pod.PodNetworkFixture.assertError;
import static org.assertj.core.api.Assertions.assertThat;

class GarbageCollectionTest {
    @RegisterExtension
    final PodNetworkFixture fixture = new PodNetworkFixture("10.42.1.1/24");

    private CniResponse gc(String key, String attachments) {
        return fixture.invoke(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"),
                fixture.config("1.1.0", ",\"" + key + "\":" + attachments));
    }

    @Test
    void keepsValidAttachmentsAndRemovesTheRest() {
        NetNamespace kept = fixture.sandbox.namespace();
        ObjectNode keptResult = fixture.attach("kept", kept);
        fixture.attach("gone1", fixture.sandbox.namespace());
        fixture.attach("gone2", fixture.sandbox.namespace());
        // what a crash in the middle of an ADD can leave: a reservation without veth, a veth off any bridge
        new IpAllocator(fixture.dataDir.resolve(PodNetworkFixture.NETWORK), IpPrefix.parse("10.42.1.1/24"))
                .allocate(new Attachment("crashed", "eth0"));
        Sandbox.ip(fixture.node, "link", "add", HostVeth.name("crashed", "eth0"), "type", "veth", "peer", "name", "crashpeer");
        Sandbox.ip(fixture.node, "link", "add", "notweft0", "type", "veth", "peer", "name", "notweft1");

        CniResponse response = gc("cni.dev/valid-attachments", "[{\"containerID\":\"kept\",\"ifname\":\"eth0\"}]");

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(response.stdout()).isEmpty();
        assertThat(fixture.weftVeths()).containsExactly(HostVeth.name("kept", "eth0"));
        assertThat(fixture.reservations()).extracting(r -> r.attachment()).containsExactly(new Attachment("kept", "eth0"));
        assertThat(Sandbox.ipJson(fixture.node, "link", "show").findValuesAsString("ifname")).contains("notweft0", "notweft1", "cni0");
        CniResponse check = fixture.withPrevResult("CHECK", "kept", kept, keptResult);
        assertThat(check.exitCode()).as(check.stdoutText()).isZero();
    }

    @Test
    void acceptsTheOlderAttachmentsKey() {
        fixture.attach("kept", fixture.sandbox.namespace());
        fixture.attach("gone", fixture.sandbox.namespace());

        CniResponse response = gc("cni.dev/attachments", "[{\"containerID\":\"kept\",\"ifname\":\"eth0\"}]");

        assertThat(response.exitCode()).as(response.stdoutText()).isZero();
        assertThat(fixture.weftVeths()).containsExactly(HostVeth.name("kept", "eth0"));
        assertThat(fixture.reservations()).extracting(r -> r.attachment()).containsExactly(new Attachment("kept", "eth0"));
    }

    @Test
    void anEmptyListRemovesEverythingButAMissingOneIsAnError() {
        fixture.attach("a", fixture.sandbox.namespace());

        assertThat(assertError(fixture.invoke(Map.of("CNI_COMMAND", "GC"), fixture.config("1.1.0", "")),
                CniException.INVALID_CONFIG).get("msg").asString()).startsWith("cni.dev/valid-attachments is missing");
        assertThat(fixture.weftVeths()).hasSize(1);

        assertThat(gc("cni.dev/valid-attachments", "[]").exitCode()).isZero();
        assertThat(fixture.weftVeths()).isEmpty();
        assertThat(fixture.reservations()).isEmpty();
    }

    @Test
    void refusesAMalformedAttachment() {
        var error = assertError(gc("cni.dev/valid-attachments", "[{\"containerID\":\"a\"}]"), CniException.INVALID_CONFIG);

        assertThat(error.get("msg").asString()).startsWith("cni.dev/valid-attachments[0]");
    }
}
