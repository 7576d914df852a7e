package io.weft.netlink;

import io.weft.netlink.link.Link;
import io.weft.netlink.link.LinkSpec;
import io.weft.netlink.ns.NetNamespace;
import io.weft.netlink.ns.NetNamespace.NamespaceTaskException;
import io.weft.netlink.sys.SyscallException;
import io.weft.netlink.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static io.weft.netlink.sys.Kernel.EEXIST;
import static io.weft.netlink.sys.Kernel.EINVAL;
import static io.weft.netlink.sys.Kernel.ENOENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every failure names what was attempted, on what, the errno by name, and the kernel's own words. */
class ErrorMessagesTest {
    private final Sandbox sandbox = new Sandbox();

    @AfterEach
    void cleanUp() {
        sandbox.close();
    }

    @Test
    void netlinkExceptionCarriesOperationObjectErrnoAndExtendedAck() {
        try (Netlink netlink = Netlink.open(sandbox.namespace())) {
            netlink.links().add(LinkSpec.bridge("br-inner"));
            Link outer = netlink.links().add(LinkSpec.bridge("br-outer"));

            assertThatThrownBy(() -> netlink.links().setMaster("br-inner", outer.index()))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> {
                        assertThat(e.operation()).isEqualTo("RTM_NEWLINK");
                        assertThat(e.object()).isEqualTo("br-inner");
                        assertThat(e.errnoName()).isEqualTo("ELOOP");
                        assertThat(e.kernelMessage()).isEqualTo("Can not enslave a bridge to a bridge");
                    })
                    .hasMessage("RTM_NEWLINK br-inner: ELOOP (Too many levels of symbolic links): Can not enslave a bridge to a bridge");
            assertThatThrownBy(() -> netlink.links().setMtu("br-inner", 10))
                    .hasMessage("RTM_NEWLINK br-inner: EINVAL (Invalid argument): mtu less than device minimum");
        }
    }

    @Test
    void netlinkExceptionWithoutKernelTextEndsAtTheErrno() {
        var withNull = new NetlinkException("RTM_NEWROUTE", "10.42.2.0/24 via 10.42.2.0 dev 5", EEXIST, null);
        var withEmpty = new NetlinkException("RTM_NEWROUTE", "10.42.2.0/24 via 10.42.2.0 dev 5", EEXIST, "");

        assertThat(withNull).hasMessage("RTM_NEWROUTE 10.42.2.0/24 via 10.42.2.0 dev 5: EEXIST (File exists)");
        assertThat(withEmpty).hasMessage(withNull.getMessage());
        assertThat(withNull.errno()).isEqualTo(EEXIST);
        assertThat(withNull.kernelMessage()).isNull();
    }

    @Test
    void errnoWithoutANameIsShownAsANumber() {
        assertThat(new NetlinkException("RTM_NEWLINK", "x0", 4000, null))
                .hasMessage("RTM_NEWLINK x0: errno 4000")
                .extracting(NetlinkException::errnoName).isEqualTo("errno 4000");
    }

    @Test
    void syscallExceptionNamesTheCallItsObjectAndErrno() {
        String missing = "wtest-missing-" + ProcessHandle.current().pid();

        assertThatThrownBy(() -> NetNamespace.open(missing))
                .isInstanceOfSatisfying(SyscallException.class, e -> {
                    assertThat(e.errno()).isEqualTo(ENOENT);
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                })
                .hasMessage("open(/run/netns/" + missing + "): ENOENT (No such file or directory)");
    }

    @Test
    void enteringANamespaceOfAnotherTypeFailsNamingSetnsAndThePath() {
        Path uts = Path.of("/proc/thread-self/ns/uts");
        try (NetNamespace notNetwork = NetNamespace.openPath(uts)) {
            assertThatThrownBy(() -> notNetwork.run(() -> { }))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(EINVAL))
                    .hasMessage("setns(" + uts + "): EINVAL (Invalid argument)");
        }
    }

    @Test
    void checkedFailureInsideANamespaceNamesTheNamespaceThread() {
        NetNamespace namespace = sandbox.namespace();
        IOException cause = new IOException("disk on fire");

        assertThatThrownBy(() -> namespace.call(() -> { throw cause; }))
                .isInstanceOf(NamespaceTaskException.class)
                .hasMessage("netns-" + namespace.name() + ": java.io.IOException: disk on fire")
                .hasCause(cause);
    }
}
