package io.weft.agent.kernel;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which kernels predate the VXLAN checksum fix, by the versions kubernetes#88986 gives. */
class KernelReleaseTest {
    private static boolean buggy(String release) {
        return KernelRelease.parse(release).orElseThrow().hasVxlanChecksumBug();
    }

    @Test
    void eachStableSeriesHasTheFixFromItsFixedSublevelAndMainlineFrom57() {
        Map<String, Boolean> bugByRelease = Map.ofEntries(
                Map.entry("5.4.0", true), Map.entry("5.4.0-26-generic", true),
                Map.entry("5.4.40", true), Map.entry("5.4.41", false),
                Map.entry("5.6.12", true), Map.entry("5.6.13", false), Map.entry("5.6", true),
                Map.entry("5.7.0", false), Map.entry("5.7", false),
                Map.entry("4.19.122", true), Map.entry("4.19.122-1", true), Map.entry("4.19.123", false),
                Map.entry("4.14.180", true), Map.entry("4.14.181", false),
                Map.entry("5.5.19", true), Map.entry("4.9.337", true),
                Map.entry("5.15.0-91-generic", false), Map.entry("6.1.0", false), Map.entry("6.8.0-45-generic", false),
                Map.entry("6.18.44-fc-v669", false));

        bugByRelease.forEach((release, bug) -> assertThat(buggy(release)).as(release).isEqualTo(bug));
    }

    @Test
    void keepsTheTextAndReadsMajorMinorAndSublevel() {
        assertThat(KernelRelease.parse(" 5.4.41-1-lts\n")).contains(new KernelRelease("5.4.41-1-lts", 5, 4, 41));
    }

    @Test
    void aReleaseWithoutVersionNumbersIsNotParsed() {
        assertThat(KernelRelease.parse("linux")).isEmpty();
        assertThat(KernelRelease.parse("6.x")).isEmpty();
    }

    @Test
    void theRunningKernelsReleaseParses() {
        assertThat(KernelRelease.parse(KernelRelease.running())).isPresent();
    }
}
