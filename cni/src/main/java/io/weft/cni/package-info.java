/**
 * The CNI plugin: spec types, pod attach/detach, IP allocation and the C forwarder. Arrives with issue 3;
 * this module is an empty placeholder in the build until then.
 */
package io.weft.cni;
