package io.weft.netlink.testing;

import io.weft.netlink.Netlink;
import io.weft.netlink.ns.NetNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test of one namespace of its own: before each test a fresh {@link #node} in {@link #sandbox} and a
 * {@link #netlink} handle on it; after it the handle closed and every namespace of the sandbox removed,
 * even when the test failed. A subclass's own {@code @BeforeEach} runs once the namespace exists.
 */
public abstract class InFreshNamespace {
    protected final Sandbox sandbox = new Sandbox();
    protected NetNamespace node;
    protected Netlink netlink;

    @BeforeEach
    protected void openFreshNamespace() {
        node = sandbox.namespace();
        netlink = Netlink.open(node);
    }

    @AfterEach
    protected void closeFreshNamespace() {
        try {
            if (netlink != null) {
                netlink.close();
            }
        } finally {
            sandbox.close();
        }
    }
}
