package dev.rtrs.jmx.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.management.DynamicMBean;

/** The MBean of one mapped device, found by its name at every call. */
final class MappedDeviceBean implements MappedDeviceMXBean {

    private static final double[] BOUNDS = DeviceStatistics.LATENCY_BUCKET_BOUNDS_SECONDS.stream()
            .mapToDouble(Double::doubleValue)
            .toArray();
    private static final DeviceStatistics NONE =
            new DeviceStatistics(0, 0, 0, 0, Collections.nCopies(BOUNDS.length + 1, 0L), 0);

    private final String name;
    private final Beans beans;

    MappedDeviceBean(String name, Beans beans) {
        this.name = name;
        this.beans = beans;
    }

    static DynamicMBean mbean(String name, Beans beans) {
        return new DescribedMBean(
                new MappedDeviceBean(name, beans),
                MappedDeviceMXBean.class,
                "RNBD mapped device " + name,
                Map.of(
                        "Size", "bytes; -1 while not mapped yet",
                        "OpenCount", "NBD client connections using the device",
                        "Others", "flushes and discards completed",
                        "Errors", "IOs completed with an error",
                        "LatencyCounts", "IOs per latency bucket; the last one counts the slower IOs",
                        "unmap", "unmaps the device and deletes its configuration",
                        "remap", "opens the device again on the server after a link loss",
                        "resize", "reads the device's size from the server again"),
                Map.of("unmap", List.of("force")));
    }

    private MappedDeviceInfo info() {
        return beans.client().devices().stream()
                .filter(d -> d.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no mapped device named '" + name + "'"));
    }

    private DeviceStatistics statistics() {
        return beans.client().deviceStatistics().getOrDefault(name, NONE);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getSession() {
        return info().session();
    }

    @Override
    public String getDevicePath() {
        return info().devicePath();
    }

    @Override
    public String getAccessMode() {
        MappedDeviceInfo d = info();
        return d.accessMode() == null ? "" : d.accessMode().name();
    }

    @Override
    public long getSize() {
        return info().size();
    }

    @Override
    public String getState() {
        return info().state().name();
    }

    @Override
    public int getOpenCount() {
        return beans.client().openCount(name);
    }

    @Override
    public String getNbdUri() {
        String uri = beans.client().nbdUri(name);
        return uri == null ? "" : uri;
    }

    @Override
    public long getReads() {
        return statistics().reads();
    }

    @Override
    public long getWrites() {
        return statistics().writes();
    }

    @Override
    public long getOthers() {
        return statistics().others();
    }

    @Override
    public long getErrors() {
        return statistics().errors();
    }

    @Override
    public double getMeanLatencyMicros() {
        DeviceStatistics s = statistics();
        long ios = s.latencyCounts().stream().mapToLong(Long::longValue).sum();
        return ios == 0 ? 0 : s.latencySumNanos() / 1000.0 / ios;
    }

    @Override
    public double[] getLatencyBucketBoundsSeconds() {
        return BOUNDS.clone();
    }

    @Override
    public long[] getLatencyCounts() {
        return statistics().latencyCounts().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public String unmap(boolean force) {
        try {
            beans.client().unmap(name, force);
        } catch (BlockException e) {
            throw Beans.failed(e);
        }
        return "Unmapped " + name;
    }

    @Override
    public String remap() {
        try {
            RnbdClientAdmin.MappedDeviceInfo d = beans.client().remap(name);
            return "Remapped " + name + " (" + d.size() + " bytes)";
        } catch (BlockException e) {
            throw Beans.failed(e);
        }
    }

    @Override
    public String resize() {
        try {
            RnbdClientAdmin.MappedDeviceInfo d = beans.client().resize(name);
            return "Resized " + name + " to " + d.size() + " bytes";
        } catch (BlockException e) {
            throw Beans.failed(e);
        }
    }
}
