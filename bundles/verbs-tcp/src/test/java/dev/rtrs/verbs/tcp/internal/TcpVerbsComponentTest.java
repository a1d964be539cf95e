package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Declarative Services component without a framework: configuration mapping and the generated descriptors. */
class TcpVerbsComponentTest {

    /** A configuration with the annotation's defaults, some overridden. */
    private static TcpVerbsConfig config(Map<String, Object> values) {
        return (TcpVerbsConfig) Proxy.newProxyInstance(
                TcpVerbsConfig.class.getClassLoader(), new Class<?>[] {TcpVerbsConfig.class}, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    return method.getDefaultValue();
                });
    }

    @Test
    void theDefaultsMatchTheBuilderDefaults() {
        TcpProviderOptions fromConfig = TcpVerbsComponent.options(config(Map.of()));
        assertEquals(TcpProviderOptions.defaults(), fromConfig);
    }

    @Test
    void everyAttributeReachesTheOptions() {
        Map<String, Object> v = new HashMap<>();
        v.put("deviceName", "tcp9");
        v.put("ioThreads", 3);
        v.put("eventThreads", 1);
        v.put("rnrTimeoutMs", 250);
        v.put("maxQueuePairWorkRequests", 100);
        v.put("maxScatterGatherEntries", 4);
        v.put("maxCompletionQueueEntries", 1000);
        v.put("responderResources", 8);
        v.put("handshakeTimeoutMs", 111);
        v.put("disconnectTimeoutMs", 222);
        v.put("socketBufferBytes", 65536);
        v.put("ackTimeout", 14);
        v.put("retryCount", 2);
        v.put("keepAliveIdleSeconds", 30);
        v.put("keepAliveIntervalSeconds", 5);
        v.put("keepAliveCount", 6);
        TcpProviderOptions o = TcpVerbsComponent.options(config(v));
        assertEquals(new TcpProviderOptions("tcp9", 3, 1, 250, 100, 4, 1000, 8, 111, 222, 65536, 14, 2, 30, 5, 6), o);
    }

    @Test
    void theDefaultsFailASilentPeerAfterAbout4Seconds() {
        TcpProviderOptions d = TcpProviderOptions.defaults();
        assertEquals(17, d.ackTimeout());
        assertEquals(7, d.retryCount());
        long nanos = QueuePairAttributes.ackTimeoutNanos(d.ackTimeout()) * (d.retryCount() + 1);
        assertEquals(4294, nanos / 1_000_000);
        assertEquals(10, d.keepAliveIdleSeconds());
        assertEquals(2, d.keepAliveIntervalSeconds());
        assertEquals(3, d.keepAliveCount());
        // the constructor of 1.0 keeps its meaning: the new settings at their defaults
        @SuppressWarnings("deprecation")
        TcpProviderOptions old =
                new TcpProviderOptions("tcp0", d.ioThreads(), 2, 1000, 16384, 32, 1 << 20, 128, 10_000, 2_000, 0);
        assertEquals(d, old);
    }

    @Test
    void anInvalidValueFailsTheActivationWithTheReason() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TcpVerbsComponent.options(config(Map.of("rnrTimeoutMs", 0))));
        assertTrue(e.getMessage().contains("rnrTimeoutMs"), e.getMessage());
        for (Map.Entry<String, Object> bad : Map.<String, Object>of(
                        "ackTimeout",
                        32,
                        "retryCount",
                        8,
                        "keepAliveIdleSeconds",
                        -1,
                        "keepAliveIntervalSeconds",
                        0,
                        "keepAliveCount",
                        128)
                .entrySet()) {
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> TcpVerbsComponent.options(config(Map.of(bad.getKey(), bad.getValue()))));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }

    @Test
    void theComponentIsAWorkingProvider() throws Exception {
        TcpVerbsComponent c = new TcpVerbsComponent(config(Map.of("ioThreads", 1)));
        try {
            assertEquals("tcp", c.name());
            assertEquals(1, c.devices().size());
            for (Capability cap : Capability.values()) {
                assertTrue(c.devices().get(0).capabilities().supports(cap), cap.name());
            }
            assertEquals(56, c.devices().get(0).capabilities().maxPrivateData());
            assertEquals(c, c.createCmId(e -> {}).provider());
        } finally {
            c.deactivate();
        }
    }

    @Test
    void theDescriptorsRegisterTheServiceAndDescribeEveryAttribute() throws Exception {
        Path classes = Path.of(TcpVerbsComponent.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String component = Files.readString(classes.resolve("OSGI-INF/" + TcpVerbsComponent.class.getName() + ".xml"));
        assertTrue(component.contains("configuration-pid=\"dev.rtrs.verbs.tcp.TcpVerbsProvider\""), component);
        assertTrue(
                component.contains("name=\"" + VerbsProvider.PROVIDER + "\" type=\"String\" value=\"tcp\""), component);
        assertTrue(component.contains("interface=\"" + VerbsProvider.class.getName() + "\""), component);
        String metatype =
                Files.readString(classes.resolve("OSGI-INF/metatype/" + TcpVerbsConfig.class.getName() + ".xml"));
        for (Method m : TcpVerbsConfig.class.getDeclaredMethods()) {
            String id = m.getName().replace('_', '.');
            int at = metatype.indexOf("id=\"" + id + "\"");
            assertTrue(at >= 0, "attribute " + id);
            String ad = metatype.substring(metatype.lastIndexOf("<AD", at), metatype.indexOf("/>", at));
            assertTrue(ad.contains("description=\""), "description of " + id);
        }
    }
}
