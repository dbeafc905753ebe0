package org.meg.metrics;

/** Direction of a wireless transfer between the user device (UE) and an edge server (ES). */
public enum Link {
    /** UE to ES. */
    UPLINK,
    /** ES to UE. */
    DOWNLINK
}
