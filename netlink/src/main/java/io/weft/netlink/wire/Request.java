package io.weft.netlink.wire;

import java.util.function.Consumer;

/**
 * A request that changes something, ready to be sent alone ({@link NetlinkSocket#execute(Request)}) or
 * with others ({@link NetlinkSocket#executeAll}).
 *
 * @param type the message type, e.g. {@code RTM_NEWROUTE}
 * @param flags {@code NLM_F_*} beyond {@code NLM_F_REQUEST} and the ACK, e.g. {@code NLM_F_CREATE | NLM_F_EXCL}
 * @param object what the request is about, for the error message ("weft.1", a Route…); its
 *     {@code toString} is called only when the request fails, keeping the success path cheap
 * @param body writes the family header and the attributes
 */
public record Request(int type, int flags, Object object, Consumer<MessageWriter> body) {}
