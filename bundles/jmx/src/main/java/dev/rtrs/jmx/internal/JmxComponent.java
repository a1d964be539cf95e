package dev.rtrs.jmx.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.RtrsAdmin;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.DynamicMBean;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the MBeans of sessions, paths, mapped devices and exports as OSGi services with the property
 * {@value #OBJECT_NAME_PROPERTY}, which Karaf's JMX whiteboard (Aries JMX, in Karaf's {@code management} feature)
 * registers in the MBean server that jconsole reaches through Karaf's connector, under Karaf's JMX ACLs. Once a
 * second it adds the MBeans of what came and removes those of what went. The admin services are optional: what is
 * missing has no MBeans.
 */
@Component(immediate = true)
public final class JmxComponent {

    static final String OBJECT_NAME_PROPERTY = "jmx.objectname";
    static final long REFRESH_MS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(JmxComponent.class);

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RtrsAdmin transport;

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RnbdClientAdmin client;

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RnbdServerAdmin server;

    private final MBeanPublisher publisher;
    private final ScheduledExecutorService timer;

    @Activate
    public JmxComponent(BundleContext context) {
        publisher = new MBeanPublisher(whiteboard(context), () -> transport, () -> client, () -> server);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rtrs-jmx");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            publisher.refresh();
        } catch (RuntimeException e) {
            // a failed run must not end the timer's later ones
            LOG.warn("MBeans not refreshed", e);
        }
    }

    /** Registers an MBean as a service the JMX whiteboard picks up; closing the handle unregisters it. */
    private static MBeanPublisher.Registrar whiteboard(BundleContext context) {
        return (name, mbean) -> {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(OBJECT_NAME_PROPERTY, name.toString());
            ServiceRegistration<DynamicMBean> registration =
                    context.registerService(DynamicMBean.class, mbean, properties);
            return () -> {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework unregistered it with the stopping bundle
                }
            };
        };
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        publisher.close();
    }
}
