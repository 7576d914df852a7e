package io.weft.netlink.addr;

import io.weft.netlink.IpPrefix;

import static io.weft.netlink.sys.Kernel.IFA_F_NODAD;
import static io.weft.netlink.sys.Kernel.IFA_F_PERMANENT;

/**
 * An IPv4 or IPv6 address assigned to a link, as the kernel reports it.
 *
 * @param linkIndex the interface it is on
 * @param prefix the address with its prefix length; the host bits are the address itself
 * @param scope the {@code RT_SCOPE_*} scope (IPv6 derives it from the address: link for fe80::/10)
 * @param flags the {@code IFA_F_*} flags, all 32 bits of {@code IFA_FLAGS}
 * @param label the IPv4 label (the link's name unless set otherwise); null for IPv6
 */
public record Address(int linkIndex, IpPrefix prefix, int scope, int flags, String label) {

    /** Configured by someone, not learnt by autoconfiguration ({@code IFA_F_PERMANENT}). */
    public boolean permanent() {
        return (flags & IFA_F_PERMANENT) != 0;
    }

    /** Usable without duplicate address detection ({@code IFA_F_NODAD}, IPv6). */
    public boolean noDad() {
        return (flags & IFA_F_NODAD) != 0;
    }
}
