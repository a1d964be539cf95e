package dev.rtrs.transport;

/** Protocol constants of RTRS 2.0 that users of the API see. */
public final class RtrsLimits {

    /** Default port of a server. */
    public static final int DEFAULT_PORT = 1234;
    /** Most paths of one session. */
    public static final int MAX_PATHS = 128;
    /** Smallest chunk a server may offer. */
    public static final int MIN_CHUNK_SIZE = 8192;
    /** Default chunk size of a server. */
    public static final int DEFAULT_CHUNK_SIZE = 128 * 1024;
    /** Default number of chunks per session. */
    public static final int DEFAULT_QUEUE_DEPTH = 512;
    /** Most chunks per session. */
    public static final int MAX_QUEUE_DEPTH = 65535;
    /** Longest session name in bytes (UTF-8), as the INFO_REQ message holds it. */
    public static final int MAX_SESSION_NAME = 255;
    /** Most reconnect attempts a session may be given (-1 is no limit), as the kernel's sysfs allows. */
    public static final int MAX_RECONNECT_ATTEMPTS = 9999;

    private RtrsLimits() {}
}
