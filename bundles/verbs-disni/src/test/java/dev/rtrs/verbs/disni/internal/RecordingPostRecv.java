package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.SVCPostRecv;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Stands in for DiSNI's prepared post-receive call, keeping the requests it was prepared with. */
final class RecordingPostRecv extends SVCPostRecv {

    final List<IbvRecvWR> wrs;
    int executions;
    boolean freed;

    RecordingPostRecv(List<IbvRecvWR> wrs) {
        this.wrs = new ArrayList<>(wrs);
    }

    @Override
    public SVCPostRecv execute() throws IOException {
        if (freed) {
            throw new IOException("executed after free");
        }
        executions++;
        return this;
    }

    @Override
    public boolean isValid() {
        return !freed;
    }

    @Override
    public SVCPostRecv free() {
        freed = true;
        return this;
    }

    @Override
    public RecvWRMod getWrMod(int index) {
        IbvRecvWR wr = wrs.get(index);
        return wr::getWr_id;
    }
}
