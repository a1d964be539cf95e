package dev.rtrs.heartbeat.internal;

import dev.rtrs.transport.Heartbeat;
import dev.rtrs.transport.HeartbeatPath;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/** The {@link Heartbeat} service of the appliance: a {@link HeartbeatMonitor} configured by ConfigAdmin. */
@Component(service = Heartbeat.class, configurationPid = HeartbeatComponent.PID)
@Designate(ocd = HeartbeatConfig.class)
public final class HeartbeatComponent implements Heartbeat {

    static final String PID = "dev.rtrs.heartbeat.Heartbeat";

    private final HeartbeatMonitor monitor;

    @Activate
    public HeartbeatComponent(HeartbeatConfig config) {
        this.monitor = new HeartbeatMonitor(config.intervalMs(), config.missedMax());
    }

    /** A new interval or miss limit applies to the running monitor: no path is dropped. */
    @Modified
    void modified(HeartbeatConfig config) {
        monitor.configure(config.intervalMs(), config.missedMax());
    }

    @Override
    public void watch(HeartbeatPath path) {
        monitor.watch(path);
    }

    @Override
    public void unwatch(HeartbeatPath path) {
        monitor.unwatch(path);
    }

    @Deactivate
    void deactivate() {
        monitor.close();
    }
}
