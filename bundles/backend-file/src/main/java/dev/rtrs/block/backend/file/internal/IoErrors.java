package dev.rtrs.block.backend.file.internal;

import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The errno a client gets for an IOException from the OS. Java keeps the errno only as its strerror text (the
 * message of a channel's IOException, the reason of a FileSystemException), so that text is what is matched.
 */
final class IoErrors {

    private IoErrors() {}

    static int errno(IOException e) {
        if (e instanceof ClosedChannelException) {
            return Errno.EIO;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        String reason = reason(e);
        if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
            return Errno.ENOSPC;
        }
        if (reason.contains("Read-only file system")) {
            return Errno.EROFS;
        }
        if (reason.contains("Permission denied") || reason.contains("Operation not permitted")) {
            return Errno.EACCES;
        }
        if (reason.contains("No such file or directory")) {
            return Errno.ENOENT;
        }
        if (reason.contains("File too large")) {
            return Errno.EFBIG;
        }
        return Errno.EIO;
    }

    /** What the OS said, for a log line. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            // the JDK leaves the reason out of these three; their type is the reason
            if (f.getReason() != null) {
                return f.getReason();
            } else if (f instanceof NoSuchFileException) {
                return "No such file or directory";
            } else if (f instanceof AccessDeniedException) {
                return "Permission denied";
            } else if (f instanceof FileAlreadyExistsException) {
                return "File exists";
            }
        }
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }
}
