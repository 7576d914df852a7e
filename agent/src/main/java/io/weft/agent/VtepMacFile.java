package io.weft.agent;

import io.weft.netlink.sys.AtomicFile;

import io.weft.netlink.MacAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.random.RandomGenerator;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The MAC of {@code weft.1}, kept in {@code stateDir/vtep-mac} so that it survives restarts and
 * reboots: every peer has it in a neighbour and an FDB entry, and a new one would cut traffic until
 * they all learnt it (Flannel's #1795 and k3s#9957 are that bug).
 */
final class VtepMacFile {
    private static final System.Logger LOG = System.getLogger(VtepMacFile.class.getName());

    private VtepMacFile() {}

    /**
     * The MAC in {@code file}; without one, the MAC {@code weft.1} already has (the state directory
     * was wiped but the device lives on: keep its traffic flowing), else a new random one; the
     * latter two are written to the file before they are returned.
     */
    static MacAddress loadOrCreate(Path file, Optional<MacAddress> existingDevice, RandomGenerator random) throws IOException {
        try {
            String text = Files.readString(file).strip();
            try {
                return MacAddress.parse(text);
            } catch (IllegalArgumentException e) {
                LOG.log(WARNING, file + " holds no MAC address (" + e.getMessage() + "); replacing it");
            }
        } catch (NoSuchFileException absent) {
            // first start on this node
        }
        MacAddress mac = existingDevice.orElseGet(() -> MacAddress.random(random));
        AtomicFile.replace(file, (mac + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        LOG.log(INFO, "VTEP MAC " + mac + (existingDevice.isPresent() ? " (the existing device's)" : " (new)") + " saved in " + file);
        return mac;
    }
}
