package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The kernel's {@code dev_search_path}: a client's device name is taken relative to it (with {@code %SESSNAME%}
 * replaced by the session's name), and must not lead outside it, by name or through a symbolic link.
 */
final class SearchPath {

    static final String SESSNAME = "%SESSNAME%";

    private final String template;

    SearchPath(String template) {
        this.template = template;
    }

    String template() {
        return template;
    }

    /**
     * The real path of {@code deviceName} for {@code session}.
     *
     * An absolute name is taken under the search path too, as the kernel joins the two with a slash and folds
     * repeated slashes: {@code /dev/sdb} is {@code <search path>/dev/sdb}.
     *
     * @throws BlockException EINVAL for an empty name or one with {@code ..}, EACCES for a link leading outside,
     *                        ENOENT for a missing file
     */
    Path resolve(String session, String name) throws BlockException {
        String deviceName = name.replaceAll("^/+", "");
        if (deviceName.isEmpty()) {
            throw new BlockException(Errno.EINVAL, "device name '" + name + "' names no file");
        }
        for (String part : deviceName.split("/")) {
            if (part.equals("..")) {
                throw new BlockException(Errno.EINVAL, "device name '" + deviceName + "' must not contain '..'");
            }
        }
        if (session.contains("/") || session.equals("..")) {
            throw new BlockException(Errno.EINVAL, "session name '" + session + "' cannot be part of a path");
        }
        Path base =
                Path.of(template.replace(SESSNAME, session)).toAbsolutePath().normalize();
        Path candidate = base.resolve(deviceName).normalize();
        Path realBase = real(base, deviceName, base);
        Path real = real(candidate, deviceName, base);
        if (!real.startsWith(realBase)) {
            throw new BlockException(Errno.EACCES, "device '" + deviceName + "' leads outside " + base);
        }
        if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new BlockException(Errno.EINVAL, "device '" + deviceName + "' is a directory");
        }
        return real;
    }

    /** The path with every link resolved. */
    private static Path real(Path path, String deviceName, Path base) throws BlockException {
        try {
            return path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new BlockException(Errno.ENOENT, "no device '" + deviceName + "' in " + base);
        } catch (IOException e) {
            throw new BlockException(
                    Errno.EIO, "cannot resolve '" + deviceName + "' in " + base + ": " + e.getMessage());
        }
    }
}
