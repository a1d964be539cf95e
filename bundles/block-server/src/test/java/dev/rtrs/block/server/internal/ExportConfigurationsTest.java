package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportRequest;
import dev.rtrs.errno.Errno;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Exports added as configurations: what is stored, and that the component DS makes of it enforces the same thing.
 * ConfigurationAdmin is a fake that keeps the properties and, as DS would, turns each stored configuration into an
 * {@link ExportComponent} whose definition goes into the registry.
 */
class ExportConfigurationsTest {

    private final ExportRegistry registry = new ExportRegistry("/nonexistent/rnbd");
    private final StoringConfigurationAdmin configurationAdmin = new StoringConfigurationAdmin(registry);
    private final ExportConfigurations exports = new ExportConfigurations(configurationAdmin.proxy(), registry);

    @Test
    void allowedClientsAreStoredOneRangeAnEntryAndEnforced() throws Exception {
        ExportInfo added = exports.add(
                new ExportRequest(
                        "lan",
                        "memory",
                        List.of("size=1M"),
                        false,
                        List.of(),
                        List.of("10.0.0.0/24, 127.0.0.1/32", "::1/128")),
                5_000);
        assertEquals(List.of("10.0.0.0/24", "127.0.0.1/32", "::1/128"), added.allowedClients());
        assertEquals(1, configurationAdmin.stored.size());
        Dictionary<String, Object> stored = configurationAdmin.stored.get(0);
        assertArrayEquals(
                new String[] {"10.0.0.0/24", "127.0.0.1/32", "::1/128"}, (String[]) stored.get("allowedClients"));
        assertArrayEquals(new String[] {"size=1M"}, (String[]) stored.get("parameters"));

        ExportDefinition d = registry.definitions().get(0);
        assertTrue(d.allowedClients().allowsAll(List.of(InetAddress.getByName("10.0.0.7"))));
        assertTrue(d.allowedClients().allowsAll(List.of(InetAddress.getByName("::1"))));
        assertFalse(d.allowedClients().allowsAll(List.of(InetAddress.getByName("127.0.0.2"))));
    }

    @Test
    void withoutAllowedClientsAnyClientMayOpen() throws Exception {
        ExportInfo added = exports.add(new ExportRequest("open", "memory", List.of(), false, List.of(), null), 5_000);
        assertEquals(List.of(), added.allowedClients());
        assertArrayEquals(
                new String[0], (String[]) configurationAdmin.stored.get(0).get("allowedClients"));
        assertTrue(registry.definitions().get(0).allowedClients().isAny());
    }

    @Test
    void aMalformedRangeIsRefusedByNameAndNothingIsStored() {
        for (String bad : List.of("10.0.0.0/33", "10.0.0.300/24", "intranet", "::1/129")) {
            BlockException e = assertThrows(
                    BlockException.class,
                    () -> exports.add(
                            new ExportRequest(
                                    "lan", "memory", List.of(), false, List.of(), List.of("127.0.0.1/32", bad)),
                            5_000),
                    bad);
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals(List.of(), configurationAdmin.stored);
        assertEquals(List.of(), registry.exportInfos());
    }

    /** Keeps factory configurations in a list; each update makes the export's component as DS would. */
    static final class StoringConfigurationAdmin {
        final List<Dictionary<String, Object>> stored = new ArrayList<>();
        private final ExportRegistry registry;

        StoringConfigurationAdmin(ExportRegistry registry) {
            this.registry = registry;
        }

        ConfigurationAdmin proxy() {
            return fake(ConfigurationAdmin.class, (method, args) -> switch (method.getName()) {
                case "createFactoryConfiguration" -> configuration();
                case "listConfigurations" ->
                    stored.isEmpty()
                            ? null
                            : stored.stream().map(this::configuration).toArray(Configuration[]::new);
                default -> throw new UnsupportedOperationException(method.getName());
            });
        }

        private Configuration configuration() {
            return fake(Configuration.class, (method, args) -> switch (method.getName()) {
                case "update" -> {
                    @SuppressWarnings("unchecked")
                    Dictionary<String, Object> properties = (Dictionary<String, Object>) args[0];
                    stored.add(properties);
                    registry.addDefinition(new ExportComponent(config(properties)).definition());
                    yield null;
                }
                case "getPid" -> "dev.rtrs.block.server.Export~" + stored.size();
                default -> throw new UnsupportedOperationException(method.getName());
            });
        }

        private Configuration configuration(Dictionary<String, Object> properties) {
            return fake(Configuration.class, (method, args) -> switch (method.getName()) {
                case "getProperties" -> properties;
                default -> throw new UnsupportedOperationException(method.getName());
            });
        }

        /** The configuration annotation DS would make of the properties: a value, or the attribute's default. */
        private static ExportConfig config(Dictionary<String, Object> properties) {
            Hashtable<String, Object> copy = new Hashtable<>();
            for (var keys = properties.keys(); keys.hasMoreElements(); ) {
                String key = keys.nextElement();
                copy.put(key, properties.get(key));
            }
            return fake(
                    ExportConfig.class,
                    (method, args) -> copy.getOrDefault(method.getName(), method.getDefaultValue()));
        }
    }

    private interface Answer {
        Object answer(Method method, Object[] args) throws Exception;
    }

    private static <T> T fake(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(
                ExportConfigurationsTest.class.getClassLoader(),
                new Class<?>[] {type},
                (proxy, method, args) -> answer.answer(method, args)));
    }
}
