package dev.rtrs.block.backend.file.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.ExportParameters;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An export's storage as the file backend opened it: the channel and the geometry.
 *
 * @param size bytes the export offers: the file's or device's size, rounded down to whole logical blocks
 */
record FileStorage(
        Path path, FileChannel channel, long size, int logicalBlockSize, int physicalBlockSize, boolean blockDevice) {

    /** Export parameter: absolute path of a regular file or a block device. */
    static final String PATH = "path";
    /** Export parameter: {@code true} creates a missing regular file of {@link #SIZE} bytes (sparse). */
    static final String CREATE = "create";
    /** Export parameter, with {@link #CREATE}: bytes, with an optional K, M, G or T suffix. */
    static final String SIZE = "size";

    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);
    private static final int DEFAULT_PHYSICAL_BLOCK_SIZE = 4096;

    /** Opens (and with create=true, creates) the storage {@code spec} describes; blocks while it does. */
    static FileStorage open(ExportSpec spec, SysfsBlockDevices sysfs) throws BlockException {
        Path path = path(spec);
        boolean create = ExportParameters.flag(spec, CREATE);
        OptionalLong createSize = ExportParameters.size(spec, SIZE);
        OptionalInt blockSize = ExportParameters.logicalBlockSize(spec);
        if (create && spec.readOnly()) {
            throw invalid(spec, "create=true needs a read-write export");
        }
        if (create != createSize.isPresent()) {
            throw invalid(spec, create ? "create=true needs a size" : "size is only used with create=true");
        }
        boolean created = create
                && createFile(
                        spec,
                        path,
                        createSize.getAsLong(),
                        blockSize.orElse(ExportParameters.DEFAULT_LOGICAL_BLOCK_SIZE));

        BasicFileAttributes attributes;
        boolean blockDevice;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
            blockDevice = attributes.isOther() && SysfsBlockDevices.isBlockDevice(path);
        } catch (NoSuchFileException e) {
            throw new BlockException(
                    Errno.ENOENT,
                    "export '" + spec.name() + "': " + path
                            + " does not exist (create=true with a size creates a file)");
        } catch (IOException e) {
            throw failure(spec, "cannot read the attributes of " + path, e);
        }
        if (!attributes.isRegularFile() && !blockDevice) {
            throw invalid(spec, path + " is neither a regular file nor a block device");
        }

        FileChannel channel;
        try {
            channel = spec.readOnly()
                    ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw failure(
                    spec, "cannot open " + path + (spec.readOnly() ? " for reading" : " for reading and writing"), e);
        }
        try {
            FileStorage storage = blockDevice
                    ? blockDevice(spec, path, channel, sysfs, blockSize)
                    : regularFile(
                            spec, path, channel, blockSize, create && !created ? createSize : OptionalLong.empty());
            LOG.info(
                    "export '{}': {} {}, {} bytes, {}-byte blocks{}",
                    spec.name(),
                    blockDevice ? "block device" : created ? "new file" : "file",
                    path,
                    storage.size(),
                    storage.logicalBlockSize(),
                    spec.readOnly() ? ", read-only" : "");
            return storage;
        } catch (BlockException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static FileStorage regularFile(
            ExportSpec spec, Path path, FileChannel channel, OptionalInt blockSize, OptionalLong expectedSize)
            throws BlockException {
        long length;
        try {
            length = channel.size();
        } catch (IOException e) {
            throw failure(spec, "cannot read the size of " + path, e);
        }
        if (expectedSize.isPresent() && expectedSize.getAsLong() != length) {
            throw new BlockException(
                    Errno.EEXIST,
                    "export '" + spec.name() + "': " + path + " exists with " + length + " bytes, not the "
                            + expectedSize.getAsLong() + " of its size parameter");
        }
        int logical = blockSize.orElse(ExportParameters.DEFAULT_LOGICAL_BLOCK_SIZE);
        int physical = DEFAULT_PHYSICAL_BLOCK_SIZE;
        try {
            physical = (int) Math.min(Files.getFileStore(path).getBlockSize(), Integer.MAX_VALUE);
        } catch (IOException | UnsupportedOperationException e) {
            // keep the default
        }
        return new FileStorage(
                path, channel, wholeBlocks(spec, path, length, logical), logical, physical(physical, logical), false);
    }

    private static FileStorage blockDevice(
            ExportSpec spec, Path path, FileChannel channel, SysfsBlockDevices sysfs, OptionalInt blockSize)
            throws BlockException {
        Path sys = sysfs.directory(path);
        OptionalLong size = sys == null ? OptionalLong.empty() : sysfs.size(sys);
        if (size.isEmpty()) {
            try {
                size = OptionalLong.of(channel.size());
            } catch (IOException e) {
                throw failure(spec, "cannot read the size of " + path, e);
            }
        }
        int own = sys == null ? 0 : sysfs.logicalBlockSize(sys).orElse(0);
        // buffered IO through the page cache allows a smaller block size than the device's, if asked for
        int logical = blockSize.orElse(
                own >= 512 && own <= 4096 && Integer.bitCount(own) == 1
                        ? own
                        : ExportParameters.DEFAULT_LOGICAL_BLOCK_SIZE);
        int physical = sys == null ? logical : sysfs.physicalBlockSize(sys).orElse(logical);
        return new FileStorage(
                path,
                channel,
                wholeBlocks(spec, path, size.getAsLong(), logical),
                logical,
                physical(physical, logical),
                true);
    }

    /** Creates the file if missing; true if it did. */
    private static boolean createFile(ExportSpec spec, Path path, long size, int logicalBlockSize)
            throws BlockException {
        if (size <= 0 || size % logicalBlockSize != 0) {
            throw invalid(
                    spec, "size " + size + " is not a positive multiple of the logical block size " + logicalBlockSize);
        }
        try {
            Files.createFile(path);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw failure(spec, "cannot create " + path, e);
        }
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(size); // sparse: reads as zeroes, takes no space until written
            return true;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // the size error is the one to report
            }
            throw failure(spec, "cannot make " + path + " " + size + " bytes long", e);
        }
    }

    private static Path path(ExportSpec spec) throws BlockException {
        String text = ExportParameters.required(spec, PATH);
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw invalid(spec, "path '" + text + "' is not a valid path");
        }
        if (!path.isAbsolute()) {
            throw invalid(spec, "path '" + text + "' is not absolute");
        }
        return path;
    }

    private static long wholeBlocks(ExportSpec spec, Path path, long length, int logicalBlockSize)
            throws BlockException {
        long size = length - length % logicalBlockSize;
        if (size <= 0) {
            throw invalid(
                    spec, path + " holds " + length + " bytes, less than one " + logicalBlockSize + "-byte block");
        }
        if (size != length) {
            LOG.warn(
                    "export '{}': the last {} bytes of {} are not a whole {}-byte block and stay unused",
                    spec.name(),
                    length - size,
                    path,
                    logicalBlockSize);
        }
        return size;
    }

    private static int physical(int candidate, int logical) {
        return candidate >= logical && candidate <= 1 << 16 && Integer.bitCount(candidate) == 1 ? candidate : logical;
    }

    private static BlockException invalid(ExportSpec spec, String message) {
        return new BlockException(Errno.EINVAL, "export '" + spec.name() + "': " + message);
    }

    private static BlockException failure(ExportSpec spec, String what, IOException e) {
        int errno = IoErrors.errno(e);
        LOG.warn("export '{}': {}: {} ({})", spec.name(), what, IoErrors.reason(e), Errno.name(errno));
        return new BlockException(errno, "export '" + spec.name() + "': " + what + ": " + IoErrors.reason(e), e);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {} after a failed open", channel, e);
        }
    }
}
