/**
 * The node agent: leases, the VXLAN overlay, the reconciler, masquerade, the CNI server, health and
 * metrics. Arrives with issue 4; this module is an empty placeholder in the build until then.
 */
package io.weft.agent;
