package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import java.util.List;

/** The devices an NBD gateway serves, looked up by export name (the mapped device's name). */
public interface NbdExports {

    List<BlockDevice> list();

    /** The device named {@code name}, or {@code null}. */
    BlockDevice find(String name);
}
