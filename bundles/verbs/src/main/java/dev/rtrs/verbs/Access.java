package dev.rtrs.verbs;

/** Access flags of a memory region, with the values of ibverbs' {@code ibv_access_flags}. */
public final class Access {

    public static final int LOCAL_WRITE = 1;
    public static final int REMOTE_WRITE = 1 << 1;
    public static final int REMOTE_READ = 1 << 2;

    /** All flags this API knows. */
    public static final int ALL = LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ;

    private Access() {}

    /** Whether {@code flags} holds every flag of {@code required}. */
    public static boolean allows(int flags, int required) {
        return (flags & required) == required;
    }

    /** Readable form, e.g. {@code LOCAL_WRITE|REMOTE_WRITE}. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & LOCAL_WRITE) != 0) {
            sb.append("LOCAL_WRITE");
        }
        if ((flags & REMOTE_WRITE) != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append("REMOTE_WRITE");
        }
        if ((flags & REMOTE_READ) != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append("REMOTE_READ");
        }
        return sb.length() == 0 ? "NONE" : sb.toString();
    }
}
