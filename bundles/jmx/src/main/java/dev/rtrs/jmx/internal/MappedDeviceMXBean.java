package dev.rtrs.jmx.internal;

/**
 * A mapped device of the RNBD client, as {@code dev.rtrs:type=MappedDevice,name=<device>}: where it is, its IO
 * counts and latency histogram, and the kernel's {@code unmap_device}, {@code remap_device} and {@code resize}.
 */
public interface MappedDeviceMXBean {

    String getName();

    String getSession();

    String getDevicePath();

    /** RO, RW or MIGRATION; empty while a configuration names none RNBD knows. */
    String getAccessMode();

    /** Bytes; -1 while it is not mapped yet. */
    long getSize();

    /** MAPPED, RECONNECTING or MAPPING. */
    String getState();

    /** NBD client connections using it. */
    int getOpenCount();

    /** Its NBD URI; empty without the NBD gateway. */
    String getNbdUri();

    long getReads();

    long getWrites();

    /** Flushes and discards. */
    long getOthers();

    long getErrors();

    /** Mean IO latency since it was mapped; 0 before its first IO. */
    double getMeanLatencyMicros();

    /** Upper bounds of the latency buckets in seconds; the last count is for slower IOs. */
    double[] getLatencyBucketBoundsSeconds();

    /** IOs per latency bucket, one more than there are bounds. */
    long[] getLatencyCounts();

    /** Unmaps the device and deletes its configuration; {@code force} closes NBD clients' connections first. */
    String unmap(boolean force);

    /** Opens the device again on the server after a link loss. */
    String remap();

    /** Reads the device's size from the server again. */
    String resize();
}
