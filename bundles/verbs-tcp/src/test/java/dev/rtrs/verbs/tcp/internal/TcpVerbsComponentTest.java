package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.tcp.TcpProviderOptions;

/** The Declarative Services component without a framework: configuration mapping and the generated descriptors. */
class TcpVerbsComponentTest {

    /** A configuration with the annotation's defaults, some overridden. */
    private static TcpVerbsConfig config(Map<String, Object> values) {
        return (TcpVerbsConfig) Proxy.newProxyInstance(TcpVerbsConfig.class.getClassLoader(),
                new Class<?>[] {TcpVerbsConfig.class}, (proxy, method, args) -> {
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
        TcpProviderOptions o = TcpVerbsComponent.options(config(v));
        assertEquals(new TcpProviderOptions("tcp9", 3, 1, 250, 100, 4, 1000, 8, 111, 222, 65536), o);
    }

    @Test
    void anInvalidValueFailsTheActivationWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TcpVerbsComponent.options(config(Map.of("rnrTimeoutMs", 0))));
        assertTrue(e.getMessage().contains("rnrTimeoutMs"), e.getMessage());
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
            assertEquals(c, c.createCmId(e -> { }).provider());
        } finally {
            c.deactivate();
        }
    }

    @Test
    void theDescriptorsRegisterTheServiceAndDescribeEveryAttribute() throws Exception {
        Path classes = Path.of(TcpVerbsComponent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String component = Files.readString(classes.resolve("OSGI-INF/" + TcpVerbsComponent.class.getName() + ".xml"));
        assertTrue(component.contains("configuration-pid=\"dev.rtrs.verbs.tcp.TcpVerbsProvider\""), component);
        assertTrue(component.contains("name=\"" + VerbsProvider.PROVIDER + "\" type=\"String\" value=\"tcp\""), component);
        assertTrue(component.contains("interface=\"" + VerbsProvider.class.getName() + "\""), component);
        String metatype = Files.readString(classes.resolve("OSGI-INF/metatype/" + TcpVerbsConfig.class.getName() + ".xml"));
        for (Method m : TcpVerbsConfig.class.getDeclaredMethods()) {
            String id = m.getName().replace('_', '.');
            int at = metatype.indexOf("id=\"" + id + "\"");
            assertTrue(at >= 0, "attribute " + id);
            String ad = metatype.substring(metatype.lastIndexOf("<AD", at), metatype.indexOf("/>", at));
            assertTrue(ad.contains("description=\""), "description of " + id);
        }
    }
}
