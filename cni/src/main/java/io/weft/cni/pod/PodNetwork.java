package io.weft.cni.pod;

import io.weft.cni.CniException;
import io.weft.cni.CniRequest;
import io.weft.cni.config.NetworkConfig;
import io.weft.cni.config.SubnetEnv;
import io.weft.cni.ipam.Attachment;
import io.weft.cni.ipam.IpAllocator;
import io.weft.cni.result.CniResult;
import io.weft.netlink.Netlink;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.ns.NetNamespace;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

import static io.weft.netlink.sys.Kernel.ENODEV;

/**
 * The pods of one node on Weft's network: the CNI commands other than VERSION, each with its
 * configuration already parsed. Holds nothing per pod, so one instance serves concurrent requests.
 */
public final class PodNetwork {
    private final NetNamespace nodeNamespace;
    private final Netlink node;

    /** {@code node} is the handle on {@code nodeNamespace}; both stay the caller's. */
    public PodNetwork(NetNamespace nodeNamespace, Netlink node) {
        this.nodeNamespace = nodeNamespace;
        this.node = node;
    }

    public CniResult add(CniRequest request, NetworkConfig config) {
        return new PodAttachment(nodeNamespace, node, config, readSubnet(config, CniException.TRY_AGAIN_LATER), request).attach();
    }

    /**
     * DEL: removes the veth by its node end, which takes the pod end with it (so it works the same
     * whether the pod's namespace is there, gone, or not named), then releases the address. Either
     * may already be gone: a repeated DEL succeeds. Needs no subnet file, so a DEL after a reboot,
     * before the agent is back, still releases the address.
     */
    public void delete(CniRequest request, NetworkConfig config) {
        deleteIfPresent(node, HostVeth.name(request.containerId(), request.ifName()));
        new IpAllocator(config.networkDir()).release(new Attachment(request.containerId(), request.ifName()));
    }

    public void check(CniRequest request, NetworkConfig config) {
        SubnetEnv subnet = readSubnet(config, CniException.TRY_AGAIN_LATER);
        new PodCheck(node, config, allocator(config, subnet), request).run();
    }

    /** GC: like DEL, needs no subnet file. */
    public void collectGarbage(CniRequest request, NetworkConfig config) {
        new GarbageCollection(node, config, new IpAllocator(config.networkDir())).run(GarbageCollection.validAttachments(request));
    }

    /** STATUS: ready when the agent has written the node's subnet (50 otherwise). */
    public void status(NetworkConfig config) {
        readSubnet(config, CniException.UNAVAILABLE);
    }

    static IpAllocator allocator(NetworkConfig config, SubnetEnv subnet) {
        return new IpAllocator(config.networkDir(), subnet.subnet());
    }

    /** Deletes a node-side link (both ends, for a veth); fine when it is not there. */
    static void deleteIfPresent(Netlink node, String name) {
        try {
            node.links().delete(name);
        } catch (NetlinkException e) {
            if (e.errno() != ENODEV) {
                throw e;
            }
        }
    }

    /** The subnet file; {@code notReadyCode} (11 for ADD, 50 for STATUS) when the agent has not written it. */
    private static SubnetEnv readSubnet(NetworkConfig config, int notReadyCode) {
        try {
            return SubnetEnv.read(config.subnetFile());
        } catch (NoSuchFileException e) {
            throw new CniException(notReadyCode, "the Weft agent is not ready: " + config.subnetFile()
                    + " does not exist yet (the agent writes it once it has this node's pod subnet)");
        } catch (IOException e) {
            throw new CniException(notReadyCode == CniException.UNAVAILABLE ? notReadyCode : CniException.IO_FAILURE,
                    "cannot read " + config.subnetFile() + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new CniException(notReadyCode == CniException.UNAVAILABLE ? notReadyCode : CniException.INVALID_CONFIG,
                    "subnetFile " + e.getMessage(), e);
        }
    }
}
