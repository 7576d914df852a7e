package io.weft.cni.ipam;

import io.weft.netlink.IpPrefix;
import io.weft.netlink.sys.WholeFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills allocating processes with SIGKILL at random moments, again and again, and then checks what a crash
 * may leave behind: only complete reservations (each attachment at most once, every acknowledged allocation
 * still there) and temp files, all of which one GC removes. Rerun a failure with {@code -Dweft.seed=<seed>}.
 */
class IpAllocatorCrashTest {
    private static final String SUBNET = "10.42.1.1/24";
    private static final int ROUNDS = 6;
    private static final int CHILDREN = 4;
    private static final int WINDOW = 6;
    private static final Pattern RESERVATION = Pattern.compile("(r\\d+c\\d+-\\d+)\r\neth0");
    private static final Pattern ADDRESS = Pattern.compile("10\\.42\\.1\\.\\d{1,3}");

    @TempDir
    Path temp;
    private final List<Child> children = new ArrayList<>();

    /** A child process and its complete stdout lines; a line cut short by the kill is dropped. */
    private record Child(String name, Process process, Thread reader, List<String> lines, Semaphore allocations, Path stderr) {
        static Child start(String name, Path dir, Path stderr) throws IOException {
            Process process = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"),
                    AllocatingChild.class.getName(), dir.toString(), SUBNET, name, String.valueOf(WINDOW))
                    .redirectError(stderr.toFile())
                    .start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Semaphore allocations = new Semaphore(0);
            Thread reader = Thread.ofPlatform().name("stdout of " + name).start(() -> readLines(process.getInputStream(), lines, allocations));
            return new Child(name, process, reader, lines, allocations, stderr);
        }

        private static void readLines(InputStream in, List<String> lines, Semaphore allocations) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try (in) {
                for (int b = in.read(); b >= 0; b = in.read()) {
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    lines.add(text);
                    if (text.startsWith("A ")) {
                        allocations.release();
                    }
                }
            } catch (IOException e) {
                // not a step: the check of the steps fails on it, instead of going on with lines missing
                lines.add("stdout unreadable: " + e.getMessage());
            }
        }

        String stderrText() throws IOException {
            return Files.readString(stderr);
        }
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Child child : children) {
            child.process.destroyForcibly();
            child.process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void leavesOnlyCompleteReservationsThatGcRemovesWhenKilledAtAnyMoment() throws Exception {
        long seed = Long.getLong("weft.seed", System.nanoTime());
        System.out.println("IpAllocatorCrashTest seed " + seed);
        Random random = new Random(seed);
        Path dir = temp.resolve("net");

        List<Child> finished = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<Child> running = new ArrayList<>();
            for (int c = 0; c < CHILDREN; c++) {
                Child child = Child.start("r" + round + "c" + c, dir, temp.resolve("r" + round + "c" + c + ".err"));
                children.add(child);
                running.add(child);
            }
            for (Child child : running) {
                int allocations = 1 + random.nextInt(60);
                assertThat(child.allocations.tryAcquire(allocations, 20, TimeUnit.SECONDS))
                        .as("seed %d: %s made %d allocations; stderr: %s", seed, child.name, allocations, child.stderrText())
                        .isTrue();
                Thread.sleep(random.nextInt(15)); // the random moment of the kill, not a wait for a condition
                assertThat(child.process.isAlive()).as("seed %d: %s still running; stderr: %s", seed, child.name, child.stderrText()).isTrue();
                // SIGKILL through the handle: Process.destroyForcibly also closes our end of the child's stdout,
                // dropping the lines still in the pipe, and the test then missed steps the child had made
                child.process.toHandle().destroyForcibly();
            }
            for (Child child : running) {
                assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(child.process.exitValue()).as("seed %d: %s died of SIGKILL", seed, child.name).isEqualTo(128 + 9);
                child.reader.join(10_000);
                finished.add(child);
            }
        }

        Map<String, String> onDisk = reservationsOnDisk(dir, seed);
        assertAcknowledgedStepsAreOnDisk(finished, onDisk, seed);
        assertThat(new IpAllocator(dir, IpPrefix.parse(SUBNET)).list())
                .as("seed %d: the allocator reads what is on disk", seed)
                .hasSize(onDisk.size());

        List<Reservation> released = new IpAllocator(dir, IpPrefix.parse(SUBNET)).retainOnly(Set.of());

        assertThat(released).as("seed %d", seed).hasSize(onDisk.size());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .as("seed %d: GC leaves neither reservations nor temp files", seed)
                    .containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
        }
    }

    /** Reads the directory without the allocator: every reservation complete, no attachment twice. Address by attachment. */
    private static Map<String, String> reservationsOnDisk(Path dir, long seed) throws IOException {
        Map<String, String> addressById = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.equals("lock") || name.startsWith(WholeFiles.TEMP_PREFIX)) {
                    continue;
                }
                if (name.equals("last_reserved_ip.0")) {
                    assertThat(Files.readString(file)).as("seed %d: pointer", seed).matches(ADDRESS);
                    continue;
                }
                assertThat(name).as("seed %d: only addresses, the lock, the pointer and temp files", seed).matches(ADDRESS);
                String content = Files.readString(file);
                Matcher reservation = RESERVATION.matcher(content);
                assertThat(reservation.matches()).as("seed %d: %s is complete: \"%s\"", seed, name, content).isTrue();
                String previous = addressById.put(reservation.group(1), name);
                assertThat(previous).as("seed %d: %s holds %s and %s", seed, reservation.group(1), previous, name).isNull();
            }
        }
        return addressById;
    }

    /**
     * Every allocation a child reported is still on disk with its address unless the child had begun to release
     * it; every release it reported is gone.
     */
    private static void assertAcknowledgedStepsAreOnDisk(List<Child> children, Map<String, String> onDisk, long seed) {
        Map<String, String> allocated = new HashMap<>();
        Set<String> releaseBegun = new HashSet<>();
        Set<String> released = new HashSet<>();
        for (Child child : children) {
            for (String line : child.lines) {
                String[] words = line.split(" ");
                switch (words[0]) {
                    case "A" -> allocated.put(words[1], words[2]);
                    case "r" -> releaseBegun.add(words[1]);
                    case "R" -> released.add(words[1]);
                    default -> throw new AssertionError("seed " + seed + ": unexpected line from " + child.name + ": " + line);
                }
            }
        }
        assertThat(allocated).as("seed %d: the children allocated", seed).isNotEmpty();
        allocated.forEach((id, address) -> {
            if (!releaseBegun.contains(id)) {
                assertThat(onDisk.get(id)).as("seed %d: acknowledged allocation of %s", seed, id).isEqualTo(address);
            }
        });
        released.forEach(id -> assertThat(onDisk).as("seed %d: released %s", seed, id).doesNotContainKey(id));
    }
}
