package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Exports kept in a map, by device name. */
final class MapExports implements NbdExports {

    private final Map<String, BlockDevice> devices = new ConcurrentHashMap<>();

    MapExports(BlockDevice... devices) {
        for (BlockDevice d : devices) {
            this.devices.put(d.name(), d);
        }
    }

    @Override
    public List<BlockDevice> list() {
        return List.copyOf(devices.values());
    }

    @Override
    public BlockDevice find(String name) {
        return devices.get(name);
    }
}
