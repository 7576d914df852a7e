package io.weft.lab.doctor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which kernels predate the VXLAN checksum fix, by the versions kubernetes#88986 gives. */
class KernelReleaseTest {
    private static boolean buggy(String release) {
        return KernelRelease.parse(release).orElseThrow().hasVxlanChecksumBug();
    }

    @Test
    void mainlineFrom57HasTheFix() {
        assertThat(buggy("5.7.0")).isFalse();
        assertThat(buggy("6.18.44-fc-v669")).isFalse();
        assertThat(buggy("5.15.0-91-generic")).isFalse();
        assertThat(buggy("5.6")).isTrue();
        assertThat(buggy("5.5.19")).isTrue();
        assertThat(buggy("4.9.337")).isTrue();
    }

    @Test
    void stableSeriesHaveItFromTheirFixedSublevel() {
        assertThat(buggy("5.4.40")).isTrue();
        assertThat(buggy("5.4.41")).isFalse();
        assertThat(buggy("5.6.12")).isTrue();
        assertThat(buggy("5.6.13")).isFalse();
        assertThat(buggy("4.19.122-1")).isTrue();
        assertThat(buggy("4.19.123")).isFalse();
        assertThat(buggy("4.14.181")).isFalse();
        assertThat(buggy("4.14.180")).isTrue();
    }

    @Test
    void aReleaseWithoutVersionNumbersIsNotParsed() {
        assertThat(KernelRelease.parse("linux")).isEmpty();
        assertThat(KernelRelease.parse("6.x")).isEmpty();
    }
}
