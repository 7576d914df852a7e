package io.weft.netlink.wire;

import io.weft.netlink.wire.Attributes.Attribute;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.weft.netlink.sys.Kernel.NLA_F_NESTED;
import static io.weft.netlink.sys.Kernel.SIZEOF_IFINFOMSG;
import static io.weft.netlink.sys.Kernel.SIZEOF_NLMSGHDR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Random attribute trees written with {@link MessageWriter} and read back with {@link Attributes}
 * must come back exactly, laid out byte for byte as netlink wants (padding zeroed even in a buffer
 * full of stale bytes). The seed is printed on failure; rerun one with {@code -Dcodec.seed=N}.
 */
class MessageCodecPropertyTest {
    private static final int CASES = 2000;
    private static final int MAX_DEPTH = 4;
    private static final int BUFFER_SIZE = 64 * 1024;

    /** An attribute to write: a leaf with a value, or a nest of children optionally marked {@code NLA_F_NESTED}. */
    sealed interface Node {
        int type();
    }

    record Leaf(int type, byte[] value) implements Node {}

    record Nest(int type, boolean flagged, List<Node> children) implements Node {}

    record FamilyHeader(int family, int index, int flags, int change) {}

    @Test
    void attributeTreesRoundTripExactlyWithZeroedPadding() {
        long seed = Long.getLong("codec.seed", System.nanoTime());
        Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(BUFFER_SIZE, 8);
            MessageWriter writer = new MessageWriter(buffer);
            for (int n = 0; n < CASES; n++) {
                List<Node> tree = children(random, 1, 6);
                FamilyHeader header = new FamilyHeader(random.nextInt(256), random.nextInt(), random.nextInt(), random.nextInt());
                int type = 16 + random.nextInt(0xffff - 16);
                int flags = random.nextInt(0x10000);
                try {
                    stale(buffer, random);
                    checkCase(writer, type, flags, header, tree);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("codec.seed=" + seed + " case " + n + " type " + type + " tree " + describe(tree)
                            + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static void checkCase(MessageWriter writer, int type, int flags, FamilyHeader header, List<Node> tree) {
        writer.start(type, flags).ifinfomsg(header.family(), header.index(), header.flags(), header.change());
        write(writer, tree);
        MemorySegment finished = writer.finish();

        assertThat(finished.toArray(JAVA_BYTE)).as("wire bytes").isEqualTo(reference(type, flags, header, tree));
        Message message = Message.wrap(finished);
        assertThat(message.length()).isEqualTo(finished.byteSize());
        assertThat(message.type()).isEqualTo(type);
        assertThat(message.flags()).isEqualTo(flags);
        assertThat(new FamilyHeader(message.u8(0), message.u32(4), message.u32(8), message.u32(12))).isEqualTo(header);
        assertDecodes(tree, message.attributes(SIZEOF_IFINFOMSG));
    }

    /** The previous message's bytes would do; random ones are harsher. */
    private static void stale(MemorySegment buffer, Random random) {
        byte[] junk = new byte[BUFFER_SIZE];
        random.nextBytes(junk);
        MemorySegment.copy(junk, 0, buffer, JAVA_BYTE, 0, junk.length);
    }

    private static List<Node> children(Random random, int depth, int max) {
        List<Node> nodes = new ArrayList<>();
        int count = random.nextInt(max + 1);
        for (int i = 0; i < count; i++) {
            // few distinct types, so that repeats exercise "last occurrence wins"
            int type = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1 + random.nextInt(0x3fff);
            if (depth < MAX_DEPTH && random.nextInt(3) == 0) {
                nodes.add(new Nest(type, random.nextBoolean(), children(random, depth + 1, 4)));
            } else {
                byte[] value = new byte[random.nextInt(65)];
                random.nextBytes(value);
                nodes.add(new Leaf(type, value));
            }
        }
        return nodes;
    }

    private static void write(MessageWriter writer, List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case Leaf(int type, byte[] value) -> writer.attribute(type, value);
                case Nest(int type, boolean flagged, List<Node> children) -> {
                    int start = writer.beginNested(flagged ? type | NLA_F_NESTED : type);
                    write(writer, children);
                    writer.endNested(start);
                }
            }
        }
    }

    private static void assertDecodes(List<Node> expected, Attributes actual) {
        List<Attribute> all = actual.all();
        assertThat(all).hasSameSizeAs(expected);
        Map<Integer, Node> lastOfType = new HashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            Node node = expected.get(i);
            Attribute attribute = all.get(i);
            assertThat(attribute.type()).isEqualTo(node.type());
            switch (node) {
                case Leaf leaf -> {
                    assertThat(attribute.nestedFlag()).isFalse();
                    assertThat(attribute.bytes()).isEqualTo(leaf.value());
                }
                case Nest nest -> {
                    assertThat(attribute.nestedFlag()).isEqualTo(nest.flagged());
                    assertDecodes(nest.children(), Attributes.parse(attribute.value()));
                }
            }
            lastOfType.put(node.type(), node);
        }
        lastOfType.forEach((type, node) -> {
            assertThat(actual.has(type)).isTrue();
            switch (node) {
                case Leaf leaf -> assertThat(actual.bytes(type)).isEqualTo(leaf.value());
                case Nest nest -> assertDecodes(nest.children(), actual.nested(type));
            }
        });
    }

    /** The message as netlink defines it, built independently of MessageWriter. */
    private static byte[] reference(int type, int flags, FamilyHeader header, List<Node> tree) {
        ByteBuffer out = ByteBuffer.allocate(BUFFER_SIZE).order(ByteOrder.nativeOrder());
        out.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
        assertThat(out.position()).isEqualTo(SIZEOF_NLMSGHDR);
        out.put((byte) header.family()).put((byte) 0).putShort((short) 0)
                .putInt(header.index()).putInt(header.flags()).putInt(header.change());
        encode(out, tree);
        out.putInt(0, out.position());
        return Arrays.copyOf(out.array(), out.position());
    }

    private static void encode(ByteBuffer out, List<Node> nodes) {
        for (Node node : nodes) {
            int start = out.position();
            out.putShort((short) 0);
            switch (node) {
                case Leaf(int type, byte[] value) -> out.putShort((short) type).put(value);
                case Nest(int type, boolean flagged, List<Node> children) -> {
                    out.putShort((short) (flagged ? type | NLA_F_NESTED : type));
                    encode(out, children);
                }
            }
            out.putShort(start, (short) (out.position() - start));
            while (out.position() % 4 != 0) {
                out.put((byte) 0);
            }
        }
    }

    private static String describe(List<Node> nodes) {
        return nodes.stream().map(node -> switch (node) {
            case Leaf(int type, byte[] value) -> type + ":" + value.length + "B";
            case Nest(int type, boolean flagged, List<Node> children) -> type + (flagged ? "N" : "") + describe(children);
        }).toList().toString();
    }

    @Test
    void writerRefusesToOverflowItsBuffer() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(64);
            memory.fill((byte) 0x5a);
            MessageWriter writer = new MessageWriter(memory.asSlice(0, 40));
            writer.start(16, 0).ifinfomsg(0, 0, 0, 0);

            assertThatThrownBy(() -> writer.attribute(1, new byte[5]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("netlink message of at least 41 bytes exceeds the 40-byte request buffer");
            assertThat(memory.asSlice(40).toArray(JAVA_BYTE)).containsOnly(0x5a);
        }
    }

    @Test
    void writerRefusesAnAttributeLongerThanItsLengthFieldHolds() {
        try (Arena arena = Arena.ofConfined()) {
            MessageWriter writer = new MessageWriter(arena.allocate(128 * 1024));
            writer.start(16, 0);

            assertThatThrownBy(() -> writer.attribute(7, new byte[0xffff]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("netlink attribute type 7 of 65539 bytes does not fit its 16-bit length field (at most 65535)");
        }
    }

    /** An attribute header as it sits on the wire: {@code nla_len}, {@code nla_type}. */
    private static byte[] header(int length, int type) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) length).putShort((short) type).array();
    }

    private static MemorySegment region(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(part -> part.length).sum());
        for (byte[] part : parts) {
            out.put(part);
        }
        return MemorySegment.ofArray(out.array());
    }

    @Test
    void parseRejectsAnAttributeLongerThanWhatIsLeft() {
        assertThatThrownBy(() -> Attributes.parse(region(header(8, 1), new byte[2])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed netlink attribute at offset 0 in a region of 6 bytes: length 8");
    }

    @Test
    void parseRejectsALengthShorterThanTheHeader() {
        assertThatThrownBy(() -> Attributes.parse(region(header(2, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed netlink attribute at offset 0 in a region of 4 bytes: length 2");
    }

    @Test
    void parseRejectsATruncatedHeaderAfterAGoodAttribute() {
        assertThatThrownBy(() -> Attributes.parse(region(header(5, 1), new byte[] {(byte) 0xaa, 0, 0, 0}, new byte[2])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed netlink attribute at offset 8 in a region of 10 bytes: 2 bytes left, less than an attribute header");
    }

    @Test
    void nestedRejectsAChildOverrunningItsParent() {
        // a parent with an 8-byte value, whose child claims 12 bytes
        Attributes outer = Attributes.parse(region(header(12, 1), header(12, 2), new byte[4]));

        assertThatThrownBy(() -> outer.nested(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed netlink attribute at offset 0 in a region of 8 bytes: length 12");
    }
}
