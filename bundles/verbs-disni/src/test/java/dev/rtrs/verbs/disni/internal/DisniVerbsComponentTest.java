package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.disni.DisniOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Declarative Services component without a framework: configuration mapping and the generated descriptors. */
class DisniVerbsComponentTest {

    /** A configuration with the annotation's defaults, some overridden. */
    private static DisniVerbsConfig config(Map<String, Object> values) {
        return (DisniVerbsConfig) Proxy.newProxyInstance(
                DisniVerbsConfig.class.getClassLoader(),
                new Class<?>[] {DisniVerbsConfig.class},
                (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    return method.getDefaultValue();
                });
    }

    @Test
    void theDefaultsMatchTheOptionsDefaults() {
        assertEquals(DisniOptions.defaults(), DisniVerbsComponent.options(config(Map.of())));
    }

    @Test
    void theComponentConfigurationBecomesTheOptions() {
        DisniVerbsConfig config = config(Map.of(
                "cmEventIntervalMs",
                2,
                "completionWaitMs",
                20,
                "maxQueuePairWorkRequests",
                512,
                "maxScatterGatherEntries",
                2,
                "maxCompletionQueueEntries",
                1024,
                "maxMemoryRegionSize",
                4096L,
                "retryCount",
                6,
                "rnrRetryCount",
                5));
        assertEquals(new DisniOptions(2, 20, 512, 2, 1024, 4096, 6, 5), DisniVerbsComponent.options(config));
    }

    @Test
    void theDescriptorsKeepThePidAndRegisterTheServiceOnlyWhenEnabled() throws Exception {
        Path classes = Path.of(DisniVerbsComponent.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String component =
                Files.readString(classes.resolve("OSGI-INF/" + DisniVerbsComponent.class.getName() + ".xml"));
        assertTrue(component.contains("configuration-pid=\"dev.rtrs.verbs.disni.DisniVerbsProvider\""), component);
        assertTrue(component.contains("enabled=\"false\""), "the detector enables it: " + component);
        assertTrue(
                component.contains("name=\"" + VerbsProvider.PROVIDER + "\" type=\"String\" value=\"disni\""),
                component);
        assertTrue(component.contains("interface=\"" + VerbsProvider.class.getName() + "\""), component);
        String metatype =
                Files.readString(classes.resolve("OSGI-INF/metatype/" + DisniVerbsConfig.class.getName() + ".xml"));
        assertTrue(metatype.contains("<Designate pid=\"dev.rtrs.verbs.disni.DisniVerbsProvider\""), metatype);
        for (Method m : DisniVerbsConfig.class.getDeclaredMethods()) {
            int at = metatype.indexOf("id=\"" + m.getName() + "\"");
            assertTrue(at >= 0, "attribute " + m.getName());
            String ad = metatype.substring(metatype.lastIndexOf("<AD", at), metatype.indexOf("/>", at));
            assertTrue(ad.contains("description=\""), "description of " + m.getName());
        }
    }
}
