package io.weft.cli;

import io.weft.cni.json.Json;
import io.weft.cni.server.Forwarder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class InstallCommandTest {
    private static final ObjectMapper JSON = Json.mapper();
    /** Reads exactly one JSON value: trailing output on stdout fails. */
    private static final ObjectReader ONE_VALUE = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] FAKE_FORWARDER = "a forwarder binary".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private Path bin;
    private Path conf;
    private Path lib;

    private record Exec(int code, String stdout, String stderr) {}

    @BeforeEach
    void layout() throws IOException {
        bin = dir.resolve("opt/cni/bin");
        conf = dir.resolve("etc/cni/net.d");
        lib = Files.createDirectories(dir.resolve("weft/lib"));
    }

    private static CniInstaller.Factory installer(Distribution distribution, Optional<byte[]> forwarder) {
        return (runtimeDir, train, report) -> new CniInstaller(distribution, forwarder, train, report);
    }

    private WeftRun install(CniInstaller.Factory installer, String... options) {
        List<String> args = Stream.concat(Stream.of("--cni-bin-dir", bin.toString(), "--cni-conf-dir", conf.toString()),
                Arrays.stream(options)).toList();
        return WeftRun.run(new InstallCommand(installer), args.toArray(String[]::new));
    }

    private WeftRun installWithoutCache(Optional<byte[]> forwarder, String... options) {
        List<String> args = Stream.concat(Stream.of("--no-aot-cache"), Arrays.stream(options)).toList();
        return install(installer(testClassPath(), forwarder), args.toArray(String[]::new));
    }

    /** This JVM and the test class path (directories and jars): runnable, but no AOT cache can be trained on it. */
    private Distribution testClassPath() {
        List<Path> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
        return new Distribution(Path.of(System.getProperty("java.home"), "bin", "java"), classPath, lib);
    }

    /** The test class path packed into jars in {@code lib}, as a built distribution has it. */
    private Distribution jarDistribution() throws IOException {
        List<Path> jars = testClassPath().classPath().stream().map(this::asJar).sorted().toList();
        return new Distribution(Path.of(System.getProperty("java.home"), "bin", "java"), jars, lib);
    }

    private Path asJar(Path entry) {
        try {
            if (!Files.isDirectory(entry)) {
                return Files.copy(entry, lib.resolve(entry.getFileName()));
            }
            Path jar = lib.resolve(entry.getParent().getParent().getFileName() + "-" + entry.getFileName() + ".jar");
            try (var out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(entry)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(entry.relativize(file).toString()));
                    Files.copy(file, out);
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code java} that prints its arguments, one a line: shows what the launcher runs. */
    private Distribution fakeJava(List<Path> jars) throws IOException {
        Path java = dir.resolve("fake-jdk/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path jar : jars) {
            Files.writeString(jar, jar.getFileName().toString());
        }
        return new Distribution(java, jars, lib);
    }

    private static Exec exec(Path program, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(program.toString());
        builder.environment().keySet().removeIf(name -> name.startsWith("CNI_") || name.startsWith("WEFT_"));
        builder.environment().putAll(env);
        Path stderr = Files.createTempFile("weft-exec-", ".err");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", program).isTrue();
        String err = Files.readString(stderr);
        Files.delete(stderr);
        return new Exec(process.exitValue(), stdout, err);
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static String permissions(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void installsTheForwarderTheJavaLauncherLoopbackAndTheConflist() throws IOException {
        WeftRun run = installWithoutCache(Optional.of(FAKE_FORWARDER));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(names(bin)).containsExactly("loopback", "weft", "weft-java");
        assertThat(names(conf)).containsExactly("10-weft.conflist");
        assertThat(bin.resolve("weft")).hasBinaryContent(FAKE_FORWARDER);
        assertThat(permissions(bin.resolve("weft"))).isEqualTo("rwxr-xr-x");
        assertThat(permissions(bin.resolve("weft-java"))).isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(bin.resolve("weft-java"))).startsWith("#!/bin/sh\n").contains("io.weft.cli.CniCommand");
        assertThat(Files.readSymbolicLink(bin.resolve("loopback"))).isEqualTo(Path.of("weft"));
        assertThat(permissions(conf.resolve("10-weft.conflist"))).isEqualTo("rw-r--r--");
        assertThat(JSON.readTree(conf.resolve("10-weft.conflist").toFile()))
                .isEqualTo(JSON.readTree("{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"plugins\":[{\"type\":\"weft\"}]}"));
        assertThat(run.out()).contains("installed " + bin.resolve("weft") + " (the forwarder");
    }

    @Test
    void fromClassDirectoriesInstallsWithoutAnAotCache() throws IOException {
        WeftRun run = install(installer(testClassPath(), Optional.of(FAKE_FORWARDER)));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("no AOT cache: the class path has directories (a development build)");
        assertThat(Files.readString(bin.resolve("weft-java"))).contains("-Xshare:auto").doesNotContain("AOTCache=");
        assertThat(names(lib)).isEmpty();
    }

    @Test
    void inPlaceCopiesNoRuntimeAndRunsThisJvm() throws IOException {
        Path runtimeDir = dir.resolve("opt/weft");

        WeftRun run = WeftRun.weft("install", "--in-place", "--no-aot-cache", "--cni-bin-dir", bin.toString(),
                "--cni-conf-dir", conf.toString(), "--runtime-dir", runtimeDir.toString());

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(runtimeDir).doesNotExist();
        assertThat(Files.readString(bin.resolve("weft-java"))).contains(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(names(conf)).containsExactly("10-weft.conflist");
    }

    @Test
    void runningAgainLeavesTheSameFilesAndNoTemporaryOnes() throws IOException {
        installWithoutCache(Optional.of(FAKE_FORWARDER), "--socket", "/run/weft/other.sock");
        String launcher = Files.readString(bin.resolve("weft-java"));
        String conflist = Files.readString(conf.resolve("10-weft.conflist"));

        WeftRun again = installWithoutCache(Optional.of(FAKE_FORWARDER), "--socket", "/run/weft/other.sock");

        assertThat(again.code()).as(again.err()).isZero();
        assertThat(names(bin)).containsExactly("loopback", "weft", "weft-java");
        assertThat(names(conf)).containsExactly("10-weft.conflist");
        assertThat(bin.resolve("weft-java")).hasContent(launcher);
        assertThat(conf.resolve("10-weft.conflist")).hasContent(conflist);
        assertThat(again.out()).contains("installed " + bin.resolve("loopback") + " -> weft");
    }

    @Test
    void writesTheNetworkNameAndTheSocketIntoTheConflist() throws IOException {
        WeftRun run = installWithoutCache(Optional.of(FAKE_FORWARDER), "--network-name", "pods.1", "--socket", "/run/x/cni.sock");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(JSON.readTree(conf.resolve("10-weft.conflist").toFile())).isEqualTo(JSON.readTree(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"pods.1\",\"plugins\":[{\"type\":\"weft\",\"socket\":\"/run/x/cni.sock\"}]}"));
    }

    @Test
    void namesTheAgentsRunAndStateDirsInTheConflistWhenTheyAreNotTheDefaults() throws IOException {
        WeftRun run = installWithoutCache(Optional.of(FAKE_FORWARDER), "--run-dir", "/run/x", "--state-dir", "/var/lib/x");
        JsonNode withDirs = JSON.readTree(conf.resolve("10-weft.conflist").toFile());
        WeftRun defaults = installWithoutCache(Optional.of(FAKE_FORWARDER), "--run-dir", "/run/weft", "--state-dir", "/var/lib/weft");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(defaults.code()).as(defaults.err()).isZero();
        assertThat(withDirs).isEqualTo(JSON.readTree("{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"plugins\":[{\"type\":\"weft\","
                + "\"socket\":\"/run/x/cni.sock\",\"subnetFile\":\"/run/x/subnet.env\",\"dataDir\":\"/var/lib/x/ipam\"}]}"));
        assertThat(JSON.readTree(conf.resolve("10-weft.conflist").toFile()))
                .isEqualTo(JSON.readTree("{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"plugins\":[{\"type\":\"weft\"}]}"));
    }

    @Test
    void refusesANetworkNameOrSocketThePluginCannotUseBeforeWritingAnything() throws IOException {
        WeftRun badName = installWithoutCache(Optional.of(FAKE_FORWARDER), "--network-name", "-weft");
        WeftRun badSocket = installWithoutCache(Optional.of(FAKE_FORWARDER), "--socket", "/run/\"x\".sock");

        assertThat(badName.code()).isEqualTo(1);
        assertThat(badName.err()).startsWith("weft install: network name '-weft' must match");
        assertThat(badSocket.code()).isEqualTo(1);
        assertThat(badSocket.err()).startsWith("weft install: socket '/run/\"x\".sock' must be an absolute path");
        assertThat(bin).doesNotExist();
        assertThat(conf).doesNotExist();
    }

    @Test
    void leavesALoopbackThatIsNotWeftsAlone() throws IOException {
        Files.createDirectories(bin);
        Files.writeString(bin.resolve("loopback"), "the reference loopback plugin");

        WeftRun run = installWithoutCache(Optional.of(FAKE_FORWARDER));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(bin.resolve("loopback")).hasContent("the reference loopback plugin");
        assertThat(run.out()).contains("left " + bin.resolve("loopback") + " alone: it is not Weft's");
    }

    @Test
    void namesTheDirectoryItCannotWriteTo() throws IOException {
        Files.createDirectories(bin.getParent());
        Files.writeString(bin, "a file where the bin dir should be");

        WeftRun run = installWithoutCache(Optional.of(FAKE_FORWARDER));

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("weft install: " + bin + " is not a directory");
        assertThat(conf).doesNotExist();
    }

    @Test
    void installsTheJavaLauncherAsWeftWhenTheBuildHasNoForwarder() throws Exception {
        Distribution distribution = fakeJava(List.of(lib.resolve("weft-cli.jar")));

        WeftRun run = install(installer(distribution, Optional.empty()), "--no-aot-cache");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(bin.resolve("weft")).hasSameTextualContentAs(bin.resolve("weft-java"));
        assertThat(run.out()).contains("installed " + bin.resolve("weft") + " as the Java launcher: this build has no forwarder");
        assertThat(exec(bin.resolve("weft"), Map.of(), "").stdout()).contains("-Dweft.cni.program=weft\n");
        assertThat(exec(bin.resolve("loopback"), Map.of(), "").stdout()).contains("-Dweft.cni.program=loopback\n");
    }

    @Test
    void launcherTakesTheProgramNameTheForwarderPasses() throws Exception {
        install(installer(fakeJava(List.of(lib.resolve("weft-cli.jar"))), Optional.of(FAKE_FORWARDER)), "--no-aot-cache");

        Exec asLoopback = exec(bin.resolve("weft-java"), Map.of("WEFT_CNI_PROGRAM", "loopback"), "");
        Exec direct = exec(bin.resolve("weft-java"), Map.of(), "");

        assertThat(asLoopback.stdout()).contains("-Dweft.cni.program=loopback\n", "-XX:TieredStopAtLevel=1\n",
                "-XX:+UseSerialGC\n", "-Xshare:auto\n", "--enable-native-access=ALL-UNNAMED\n",
                "-cp\n" + lib.resolve("weft-cli.jar") + "\n", "io.weft.cli.CniCommand\n");
        assertThat(direct.stdout()).contains("-Dweft.cni.program=weft\n");
    }

    @Test
    void launcherUsesTheCacheNamedByItsJarsUntilAJarChanges() throws Exception {
        Distribution distribution = fakeJava(List.of(lib.resolve("a.jar"), lib.resolve("b.jar")));
        Path cache = AotCache.fileFor(distribution);
        Files.writeString(cache, "trained earlier");
        Path older = Files.writeString(lib.resolve("weft-cni-" + "0".repeat(64) + ".aot"), "trained on other jars");
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().plusSeconds(60)));

        WeftRun run = install(installer(distribution, Optional.of(FAKE_FORWARDER)));
        String withCache = exec(bin.resolve("weft-java"), Map.of(), "").stdout();
        Files.setLastModifiedTime(lib.resolve("b.jar"), FileTime.from(Instant.now().plusSeconds(120))); // rebuilt in place
        String afterRebuild = exec(bin.resolve("weft-java"), Map.of(), "").stdout();

        assertThat(cache.getFileName().toString()).matches("weft-cni-[0-9a-f]{64}\\.aot");
        assertThat(run.out()).contains("AOT cache " + cache + " is already trained for these jars",
                "removed " + older + ": trained on other jars");
        assertThat(older).doesNotExist();
        assertThat(withCache).contains("-XX:AOTCache=" + cache + "\n").doesNotContain("-Xshare");
        assertThat(afterRebuild).contains("-Xshare:auto\n").doesNotContain("AOTCache");
    }

    @Test
    void installsWithoutACacheAndSaysSoWhenTrainingFails() throws Exception {
        Distribution distribution = fakeJava(List.of(lib.resolve("weft-cli.jar"))); // prints, writes no cache

        WeftRun run = install(installer(distribution, Optional.of(FAKE_FORWARDER)));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("AOT cache training failed (exit code 0, no cache written: ", "weft-java starts without a cache");
        assertThat(Files.readString(bin.resolve("weft-java"))).doesNotContain("AOTCache");
        assertThat(names(lib)).containsExactly("weft-cli.jar");
    }

    @Test
    void trainsTheCacheOnTheDistributionsJarsAndTheLauncherAnswersWithJsonOnly() throws Exception {
        Distribution distribution = jarDistribution();

        WeftRun run = install(installer(distribution, Optional.of(FAKE_FORWARDER)));
        Exec version = exec(bin.resolve("weft-java"), Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");

        Path cache = AotCache.fileFor(distribution);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("training the AOT cache " + cache);
        assertThat(cache).isNotEmptyFile();
        assertThat(Files.readString(bin.resolve("weft-java"))).contains("-XX:AOTCache=" + cache);
        assertThat(names(lib)).noneMatch(name -> name.endsWith(".tmp") || name.endsWith(".config"));
        assertThat(ONE_VALUE.readTree(version.stdout()).has("cniVersion")).as("stdout %s, stderr %s", version.stdout(), version.stderr()).isTrue();
    }

    @Test
    void forwarderFallsBackToTheInstalledJavaPluginWhenNoAgentRuns() throws Exception {
        Optional<byte[]> forwarder = Forwarder.forThisArchitecture();
        assumeTrue(forwarder.isPresent(), "the C forwarder was not built (no gcc at build time)");
        installWithoutCache(forwarder);
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"weft\",\"type\":\"weft\",\"socket\":\"" + dir.resolve("no-agent.sock") + "\"}";

        Exec weft = exec(bin.resolve("weft"), Map.of("CNI_COMMAND", "VERSION"), config);
        Exec loopback = exec(bin.resolve("loopback"), Map.of("CNI_COMMAND", "VERSION"), config);

        for (Exec exec : List.of(weft, loopback)) {
            JsonNode answer = ONE_VALUE.readTree(exec.stdout());
            assertThat(answer.get("cniVersion").asString()).as("stdout %s, stderr %s", exec.stdout(), exec.stderr()).isEqualTo("1.0.0");
            assertThat(exec.stderr()).doesNotContain("weft forwarder");
        }
    }
}
