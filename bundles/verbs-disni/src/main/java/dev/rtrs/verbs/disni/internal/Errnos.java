package dev.rtrs.verbs.disni.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.VerbsException;
import java.io.IOException;
import java.util.Map;

/**
 * DiSNI reports native failures as IOExceptions whose message ends with {@code strerror(errno)}; this recovers the
 * errno so that callers see the same errors as with the other providers.
 */
final class Errnos {

    private static final Map<String, Integer> STRERROR = Map.ofEntries(
            Map.entry("Operation not permitted", Errno.EPERM),
            Map.entry("No such file or directory", Errno.ENOENT),
            Map.entry("Input/output error", Errno.EIO),
            Map.entry("No such device or address", Errno.ENXIO),
            Map.entry("Bad file descriptor", Errno.EBADF),
            Map.entry("Resource temporarily unavailable", Errno.EAGAIN),
            Map.entry("Cannot allocate memory", Errno.ENOMEM),
            Map.entry("Permission denied", Errno.EACCES),
            Map.entry("Bad address", Errno.EFAULT),
            Map.entry("Device or resource busy", Errno.EBUSY),
            Map.entry("File exists", Errno.EEXIST),
            Map.entry("No such device", Errno.ENODEV),
            Map.entry("Invalid argument", Errno.EINVAL),
            Map.entry("No space left on device", Errno.ENOSPC),
            Map.entry("Function not implemented", Errno.ENOSYS),
            Map.entry("Protocol error", Errno.EPROTO),
            Map.entry("Value too large for defined data type", Errno.EOVERFLOW),
            Map.entry("Operation not supported", Errno.EOPNOTSUPP),
            Map.entry("Address already in use", Errno.EADDRINUSE),
            Map.entry("Cannot assign requested address", Errno.EADDRNOTAVAIL),
            Map.entry("Network is unreachable", Errno.ENETUNREACH),
            Map.entry("Software caused connection abort", Errno.ECONNABORTED),
            Map.entry("Connection reset by peer", Errno.ECONNRESET),
            Map.entry("Transport endpoint is not connected", Errno.ENOTCONN),
            Map.entry("Connection timed out", Errno.ETIMEDOUT),
            Map.entry("Connection refused", Errno.ECONNREFUSED),
            Map.entry("No route to host", Errno.EHOSTUNREACH),
            Map.entry("Operation already in progress", Errno.EALREADY));

    private Errnos() {}

    /** The errno named in a DiSNI exception's message, or {@code fallback}. */
    static int of(IOException e, int fallback) {
        String message = e.getMessage();
        if (message != null) {
            // the longest match wins: "No such device or address" also contains "No such device"
            String best = null;
            for (String text : STRERROR.keySet()) {
                if (message.contains(text) && (best == null || text.length() > best.length())) {
                    best = text;
                }
            }
            if (best != null) {
                return STRERROR.get(best);
            }
            if (message.contains("closed")) {
                // DiSNI's own checks: "Trying to ... closed ID/QP/CQ"
                return Errno.EBADF;
            }
        }
        return fallback;
    }

    /** Wraps a DiSNI failure of {@code what}. */
    static VerbsException wrap(String what, IOException e, int fallback) {
        return new VerbsException(of(e, fallback), what + ": " + e.getMessage(), e);
    }
}
