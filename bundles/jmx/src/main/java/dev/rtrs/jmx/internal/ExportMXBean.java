package dev.rtrs.jmx.internal;

/**
 * An export of the RNBD server, as {@code dev.rtrs:type=Export,name=<export>}: its backend, openers, availability,
 * and the opens, refused opens and IO errors counted since the server started.
 */
public interface ExportMXBean {

    String getName();

    String getBackend();

    /** The backend's parameters as {@code key=value}. */
    String[] getParameters();

    boolean isReadOnly();

    /** Configured by an operator, rather than a file under the search path that is open now. */
    boolean isConfigured();

    /** Client sessions that have it open. */
    int getOpenCount();

    /** Its backend is present and its storage open. */
    boolean isAvailable();

    /** Its size in bytes; -1 while not known (storage not open and no regular file, e.g. a memory export not opened). */
    long getSize();

    long getOpens();

    long getRefusedOpens();

    long getIoErrors();

    /** Removes a configured export and its configuration; its storage stays. */
    String remove();
}
