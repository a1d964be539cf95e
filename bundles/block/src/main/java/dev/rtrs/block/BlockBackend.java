package dev.rtrs.block;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What an export is stored on. Each backend bundle registers one service with the {@value #TYPE} property;
 * the block server picks a backend by that type and may lose it at any time (the bundle is uninstalled), in
 * which case the devices it opened fail their operations with {@code EIO}.
 */
@ConsumerType
public interface BlockBackend {

    /** Service property: the backend's type, e.g. {@code file} or {@code memory}. */
    String TYPE = "rnbd.backend";

    String type();

    /**
     * Opens the storage of one export. May block while it does (a large memory export is allocated and zeroed).
     *
     * @throws IOException with a message an operator understands (missing file, bad size parameter, ...); a
     *         {@link BlockException} also says which errno the client gets
     */
    BlockDevice open(ExportSpec spec) throws IOException;
}
