package dev.rtrs.block;

import java.util.Map;
import java.util.Objects;

/**
 * What a backend needs to open an export's storage.
 *
 * @param name       the export's name, as clients ask for it
 * @param parameters backend parameters, e.g. {@code path} for the file backend or {@code size} for memory
 * @param readOnly   open for reading only
 */
public record ExportSpec(String name, Map<String, String> parameters, boolean readOnly) {

    public ExportSpec {
        Objects.requireNonNull(name, "name");
        parameters = Map.copyOf(parameters);
    }

    /** A parameter, or {@code null}. */
    public String parameter(String key) {
        return parameters.get(key);
    }
}
