/*
 * weft-forwarder: the executable a container runtime runs as the Weft CNI plugin (`weft`, and
 * `loopback` under that name). It holds no CNI logic: it forwards the invocation to the warm agent
 * over a Unix socket and copies the answer back, because a JVM start costs ~100 ms per exec and this
 * costs a few milliseconds. All CNI work lives in Java (io.weft.cni).
 *
 * What it does:
 *   1. reads all of stdin (at most 1 MiB) and the environment entries starting with "CNI_";
 *   2. connects to /run/weft/cni.sock, or to the path given by a "socket" string in the stdin JSON;
 *   3. sends one request frame, reads one response frame, writes its stdout bytes to stdout and exits
 *      with its exit code.
 * When the socket is absent or refuses (ENOENT, ECONNREFUSED) it execs `weft-java`, the in-process
 * Java plugin found in the directory of this executable, with the same argv, the same environment
 * plus WEFT_CNI_PROGRAM (the name it ran under: a script cannot see argv[0]) and the same stdin,
 * re-fed through a memfd. Any other failure prints a CNI error object (code 104, AGENT_PROTOCOL) on
 * stdout and exits 1.
 *
 * The frame (all integers u32, network byte order; the Java side is io.weft.cni.server.CniFrame):
 *   request:  "WEFT" magic, version (1),
 *             program-name length + bytes (basename of argv[0]),
 *             env count, then per entry: length + bytes ("CNI_NAME=value"),
 *             stdin length + bytes
 *   response: exit code (0..255), stdout length + bytes
 *
 * The "socket" scan is not a JSON parser: it takes the first "socket" key followed by ':' and a
 * string value without escapes, wherever it appears. A nested "socket" key (inside runtimeConfig,
 * say) that comes before the plugin's own would win; CNI results carry "socketPath", which does not
 * match. A value with a backslash escape is refused (code 104), never guessed at.
 *
 * Built statically by the Maven build (cni/src/main/c/build.sh): gcc -static -Os -Wall -Wextra -Werror.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/weft/cni.sock"
#define FALLBACK_NAME "weft-java"
#define FRAME_MAGIC "WEFT"
#define FRAME_VERSION 1u
#define MAX_STDIN (1u << 20)       /* same limits as CniFrame */
#define MAX_ENV_ENTRIES 64u
#define MAX_ENV_ENTRY (64u << 10)
#define MAX_PROGRAM_NAME 255u
#define MAX_STDOUT (4u << 20)
#define AGENT_PROTOCOL 104

extern char **environ;

static char cni_version[16] = "1.0.0";

static void append_escaped(char *out, size_t cap, const char *text) {
    size_t n = strlen(out);
    for (; *text && n + 7 < cap; text++) {
        unsigned char c = (unsigned char) *text;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char) c;
        } else if (c < 0x20) {
            n += (size_t) snprintf(out + n, cap - n, "\\u%04x", c);
        } else {
            out[n++] = (char) c;
        }
    }
    out[n] = '\0';
}

/* Prints the CNI error object on stdout (where runtimes read errors) and exits 1. */
__attribute__((noreturn)) static void fail(const char *what, const char *detail) {
    char out[2048];
    snprintf(out, sizeof out, "{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"weft forwarder: ", cni_version,
             AGENT_PROTOCOL);
    append_escaped(out, sizeof out - 8, what);
    if (detail) {
        strcat(out, ": ");
        append_escaped(out, sizeof out - 8, detail);
    }
    strcat(out, "\"}\n");
    size_t len = strlen(out);
    ssize_t ignored = write(STDOUT_FILENO, out, len);
    (void) ignored;
    exit(1);
}

static void read_stdin(char **data, size_t *len) {
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) fail("out of memory", NULL);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) fail("out of memory", NULL);
        }
        ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail("cannot read stdin", strerror(errno));
        if (r == 0) break;
        n += (size_t) r;
        if (n > MAX_STDIN) fail("stdin is larger than 1 MiB", NULL);
    }
    *data = buf;
    *len = n;
}

/*
 * Copies the string value of the first `"key"` followed by `:` into out; 0 when absent, -1 when the
 * value has an escape or does not fit. Whitespace is allowed around the colon.
 */
static int scan_string(const char *json, size_t len, const char *key, char *out, size_t cap) {
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 2 <= len; i++) {
        if (json[i] != '"' || memcmp(json + i + 1, key, klen) != 0 || json[i + 1 + klen] != '"') continue;
        size_t j = i + klen + 2;
        while (j < len && strchr(" \t\r\n", json[j])) j++;
        if (j >= len || json[j] != ':') continue;
        j++;
        while (j < len && strchr(" \t\r\n", json[j])) j++;
        if (j >= len || json[j] != '"') continue;
        j++;
        size_t n = 0;
        for (; j < len && json[j] != '"'; j++) {
            if (json[j] == '\\' || n + 1 >= cap) return -1;
            out[n++] = json[j];
        }
        if (j >= len) return -1;
        out[n] = '\0';
        return 1;
    }
    return 0;
}

static void scan_cni_version(const char *json, size_t len) {
    char version[sizeof cni_version];
    if (scan_string(json, len, "cniVersion", version, sizeof version) != 1) return;
    if (version[0] == '\0' || strspn(version, "0123456789.") != strlen(version)) return;
    memcpy(cni_version, version, sizeof version);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Growable output buffer for the request frame. */
struct frame {
    char *data;
    size_t len, cap;
};

static void put(struct frame *f, const void *bytes, size_t n) {
    if (f->len + n > f->cap) {
        while (f->len + n > f->cap) f->cap = f->cap ? f->cap * 2 : 4096;
        f->data = realloc(f->data, f->cap);
        if (!f->data) fail("out of memory", NULL);
    }
    memcpy(f->data + f->len, bytes, n);
    f->len += n;
}

static void put_u32(struct frame *f, uint32_t value) {
    unsigned char b[4] = {value >> 24, value >> 16, value >> 8, value};
    put(f, b, 4);
}

static void put_bytes(struct frame *f, const void *bytes, size_t n) {
    put_u32(f, (uint32_t) n);
    put(f, bytes, n);
}

static void build_request(struct frame *f, const char *program, const char *stdin_data, size_t stdin_len) {
    put(f, FRAME_MAGIC, 4);
    put_u32(f, FRAME_VERSION);
    put_bytes(f, program, strlen(program));
    uint32_t count = 0;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "CNI_", 4) != 0) continue;
        if (strlen(*e) > MAX_ENV_ENTRY) fail("environment entry larger than 64 KiB", NULL);
        if (++count > MAX_ENV_ENTRIES) fail("more than 64 CNI_ environment variables", NULL);
    }
    put_u32(f, count);
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "CNI_", 4) == 0) put_bytes(f, *e, strlen(*e));
    }
    put_bytes(f, stdin_data, stdin_len);
}

static void send_all(int fd, const char *data, size_t len, const char *agent) {
    while (len > 0) {
        ssize_t w = send(fd, data, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) fail(agent, strerror(errno));
        data += w;
        len -= (size_t) w;
    }
}

static void recv_all(int fd, void *out, size_t len, const char *agent) {
    char *p = out;
    while (len > 0) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail(agent, strerror(errno));
        if (r == 0) fail(agent, "the agent closed the connection before a whole answer");
        p += r;
        len -= (size_t) r;
    }
}

static uint32_t recv_u32(int fd, const char *agent) {
    unsigned char b[4];
    recv_all(fd, b, 4, agent);
    return (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
}

static void write_stdout(const char *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(STDOUT_FILENO, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) exit(1); /* stdout is gone: nobody can read an error either */
        data += w;
        len -= (size_t) w;
    }
}

/* The agent is not there: run the Java plugin in this process, with stdin re-fed from a memfd. */
__attribute__((noreturn)) static void exec_java(char **argv, const char *program, const char *stdin_data,
                                                size_t stdin_len, const char *socket_path) {
    char self[4096], why[sizeof self + 256];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - sizeof FALLBACK_NAME - 1);
    if (n < 0) fail("cannot resolve /proc/self/exe", strerror(errno));
    self[n] = '\0';
    strcpy(strrchr(self, '/') + 1, FALLBACK_NAME);

    int fd = memfd_create("weft-cni-stdin", 0);
    if (fd < 0) fail("memfd_create for stdin", strerror(errno));
    for (size_t done = 0; done < stdin_len;) {
        ssize_t w = write(fd, stdin_data + done, stdin_len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) fail("writing stdin to a memfd", strerror(errno));
        done += (size_t) w;
    }
    if (lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, STDIN_FILENO) < 0) fail("re-feeding stdin", strerror(errno));
    close(fd);
    if (setenv("WEFT_CNI_PROGRAM", program, 1) != 0) fail("setenv WEFT_CNI_PROGRAM", strerror(errno));

    execv(self, argv);
    snprintf(why, sizeof why, "agent socket %s absent and %s cannot run", socket_path, self);
    fail(why, strerror(errno));
}

int main(int argc, char **argv) {
    char *stdin_data;
    size_t stdin_len;
    read_stdin(&stdin_data, &stdin_len);
    scan_cni_version(stdin_data, stdin_len);

    const char *program = argc > 0 && argv[0][0] ? base_name(argv[0]) : "weft";
    if (strlen(program) > MAX_PROGRAM_NAME) fail("program name longer than 255 bytes", NULL);

    struct sockaddr_un address = {.sun_family = AF_UNIX};
    int found = scan_string(stdin_data, stdin_len, "socket", address.sun_path, sizeof address.sun_path);
    if (found == 0) {
        strcpy(address.sun_path, DEFAULT_SOCKET);
    } else if (found < 0 || address.sun_path[0] != '/') {
        fail("the \"socket\" value must be an absolute path of at most 107 bytes without escapes", NULL);
    }
    char agent[sizeof address.sun_path + 16];
    snprintf(agent, sizeof agent, "agent socket %s", address.sun_path);

    struct frame request = {0};
    build_request(&request, program, stdin_data, stdin_len);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket(AF_UNIX)", strerror(errno));
    if (connect(fd, (struct sockaddr *) &address, sizeof address) < 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) exec_java(argv, program, stdin_data, stdin_len, address.sun_path);
        fail(agent, strerror(errno));
    }
    send_all(fd, request.data, request.len, agent);

    uint32_t code = recv_u32(fd, agent);
    uint32_t len = recv_u32(fd, agent);
    if (code > 255) fail(agent, "the agent answered an exit code above 255");
    if (len > MAX_STDOUT) fail(agent, "the agent answered more than 4 MiB");
    char *out = malloc(len ? len : 1);
    if (!out) fail("out of memory", NULL);
    recv_all(fd, out, len, agent);
    write_stdout(out, len);
    return (int) code;
}
