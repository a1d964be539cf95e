package dev.rtrs.transport.core.internal.wire;

import java.util.List;

/** INFO_RSP: the descriptors of every chunk of the session (8 + 16 bytes per chunk). */
public record InfoRsp(List<SgDesc> chunks) {

    public static final int HEADER_SIZE = 8;

    public InfoRsp {
        chunks = List.copyOf(chunks);
    }

    public static int size(int chunkCount) {
        return HEADER_SIZE + chunkCount * SgDesc.SIZE;
    }
}
