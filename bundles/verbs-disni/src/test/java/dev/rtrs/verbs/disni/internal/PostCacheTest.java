package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prepared DiSNI calls are reused only where DiSNI allows it, and freed on close. */
class PostCacheTest {

    @Test
    void identicalReceivesReuseTheirCallAndOthersGetANewOne() throws Exception {
        List<RecordingPostRecv> prepared = new ArrayList<>();
        PostRecvCache cache = new PostRecvCache(8, wrs -> {
            RecordingPostRecv call = new RecordingPostRecv(wrs);
            prepared.add(call);
            return call;
        });
        ReceiveWorkRequest[] wrs = {new ReceiveWorkRequest().reset(1).addSge(0x100, 64, 3)};
        assertSame(cache.prepared(wrs, 0, 1), cache.prepared(wrs, 0, 1));
        assertEquals(1, prepared.size());

        wrs[0].reset(1).addSge(0x100, 65, 3);
        cache.prepared(wrs, 0, 1);
        wrs[0].reset(2).addSge(0x100, 65, 3);
        cache.prepared(wrs, 0, 1);
        assertEquals(3, prepared.size(), "a receive's length and id are fixed once prepared");
        assertEquals(65, prepared.get(1).wrs.get(0).getSg_list().get(0).getLength());

        cache.close();
        assertTrue(prepared.stream().allMatch(c -> c.freed), "close frees every prepared call");
    }

    @Test
    void batchesAreKeyedByEveryRequest() throws Exception {
        List<RecordingPostSend> prepared = new ArrayList<>();
        PostSendCache cache = new PostSendCache(1, wrs -> {
            RecordingPostSend call = new RecordingPostSend(wrs);
            prepared.add(call);
            return call;
        });
        SendWorkRequest[] wrs = {
            new SendWorkRequest().reset(1, SendOpcode.SEND),
            new SendWorkRequest().reset(2, SendOpcode.RDMA_WRITE).addSge(1, 2, 3)
        };
        cache.prepared(wrs, 0, 2);
        cache.prepared(wrs, 0, 2);
        assertEquals(1, prepared.size());
        cache.prepared(wrs, 1, 1);
        cache.prepared(wrs, 0, 2);
        assertTrue(prepared.size() >= 2);
        assertEquals(1, prepared.get(1).wrs.size());
        // a replaced slot's call was freed; the slots' calls are freed on close
        cache.close();
        assertTrue(prepared.stream().allMatch(c -> c.freed));
    }
}
