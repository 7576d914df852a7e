package io.weft.lab.trace;

import io.weft.lab.LabNode;
import io.weft.lab.LabPod;

import java.util.List;

/** What a trace needs to know of a lab: its nodes and pods. The lab implements it; tests describe their own. */
public interface LabView {
    List<LabNode> nodes();

    List<LabPod> pods();
}
