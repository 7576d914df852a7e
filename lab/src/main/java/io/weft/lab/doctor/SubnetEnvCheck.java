package io.weft.lab.doctor;

import io.weft.agent.lease.Lease;
import io.weft.lab.doctor.NodeView.SubnetFile;

import java.util.List;
import java.util.Optional;

/**
 * {@code RUN_DIR/subnet.env}, the plugin's only source for the node's subnet, gateway and MTU: present,
 * readable, and of this node's lease. Without it every CNI ADD fails (Flannel's most reported error,
 * {@code loadFlannelSubnetEnv failed}).
 */
final class SubnetEnvCheck implements Check {
    @Override
    public String name() {
        return "subnet-env";
    }

    @Override
    public CheckResult run(NodeView node) {
        String file = node.target().subnetFile().toString();
        return switch (node.subnetFile()) {
            case SubnetFile.Missing() -> CheckResult.of(name(), "", List.of(new Finding(
                    file + " is missing",
                    "the CNI plugin reads the node's subnet, gateway and MTU from it: every pod creation fails "
                            + "(\"" + file + ": no such file\") and pods stay ContainerCreating. The agent writes it once it "
                            + "holds a lease and has set the node up, and again every --reconcile-interval",
                    "start the agent with --run-dir " + node.target().runDir() + "; if it runs, its /readyz says what it "
                            + "waits for (a podCIDR, the store)")));
            case SubnetFile.Unreadable(String reason) -> CheckResult.of(name(), "", List.of(new Finding(
                    file + " cannot be used: " + reason,
                    "the CNI plugin fails every pod creation with this error",
                    "delete it and start the agent, which writes it whole (atomically) again")));
            case SubnetFile.Present(var env) -> {
                Optional<Lease> self = node.self();
                if (self.isPresent() && !self.get().gateway().equals(env.subnet())) {
                    yield CheckResult.of(name(), "", List.of(new Finding(
                            file + " says WEFT_SUBNET=" + env.subnet() + ", but this node's lease is " + self.get().subnet()
                                    + " (gateway " + self.get().gateway() + ")",
                            "new pods get addresses of another subnet, which the other nodes route elsewhere: they can "
                                    + "reach nothing beyond this node",
                            "start the agent: it rewrites the file from the lease every --reconcile-interval")));
                }
                yield CheckResult.ok(name(), "WEFT_SUBNET=" + env.subnet() + " WEFT_MTU=" + env.mtu() + " in " + file);
            }
        };
    }
}
