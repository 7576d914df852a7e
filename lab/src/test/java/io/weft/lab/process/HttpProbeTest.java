package io.weft.lab.process;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpProbeTest {
    @Test
    void readsTheStatusAndTheBody() {
        assertThat(HttpProbe.parse("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nwaiting for: cni0\n"))
                .contains(new HttpProbe.Answer(503, "waiting for: cni0"));
        assertThat(HttpProbe.parse("HTTP/1.0 200 OK\r\n\r\n")).contains(new HttpProbe.Answer(200, ""));
    }

    @Test
    void somethingElseIsNoAnswer() {
        assertThat(HttpProbe.parse("")).isEmpty();
        assertThat(HttpProbe.parse("SSH-2.0-OpenSSH_9.2\r\n")).isEmpty();
    }
}
