package dev.rtrs.jmx.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import java.util.Map;
import java.util.TreeMap;
import javax.management.DynamicMBean;

/** The MBean of one export, found by its name at every call. */
final class ExportBean implements ExportMXBean {

    private static final ExportStatistics NONE = new ExportStatistics(0, 0, 0);

    private final String name;
    private final Beans beans;

    ExportBean(String name, Beans beans) {
        this.name = name;
        this.beans = beans;
    }

    static DynamicMBean mbean(String name, Beans beans) {
        return new DescribedMBean(
                new ExportBean(name, beans),
                ExportMXBean.class,
                "RNBD export " + name,
                Map.of(
                        "OpenCount", "client sessions that have the export open",
                        "Available", "its backend is present and its storage open",
                        "Size", "its size in bytes; -1 while not known (its storage not open yet)",
                        "Opens", "OPENs that succeeded since the server started",
                        "RefusedOpens", "OPENs refused since the server started",
                        "IoErrors", "IOs its storage answered with an error",
                        "remove", "removes the configured export and its configuration; its storage stays"),
                Map.of());
    }

    private ExportInfo info() {
        return beans.server().exports().stream()
                .filter(e -> e.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no export named '" + name + "'"));
    }

    private ExportStatistics statistics() {
        return beans.server().exportStatistics().getOrDefault(name, NONE);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getBackend() {
        return info().backend();
    }

    @Override
    public String[] getParameters() {
        return new TreeMap<>(info().parameters())
                .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    @Override
    public boolean isReadOnly() {
        return info().readOnly();
    }

    @Override
    public boolean isConfigured() {
        return info().configured();
    }

    @Override
    public int getOpenCount() {
        return info().openCount();
    }

    @Override
    public boolean isAvailable() {
        return info().available();
    }

    @Override
    public long getSize() {
        return info().sizeBytes();
    }

    @Override
    public long getOpens() {
        return statistics().opens();
    }

    @Override
    public long getRefusedOpens() {
        return statistics().refusedOpens();
    }

    @Override
    public long getIoErrors() {
        return statistics().ioErrors();
    }

    @Override
    public String remove() {
        try {
            beans.server().removeExport(name);
        } catch (BlockException e) {
            throw Beans.failed(e);
        }
        return "Removed export " + name + "; its storage stays";
    }
}
