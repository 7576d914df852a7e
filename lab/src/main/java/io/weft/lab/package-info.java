/**
 * Whole clusters in network namespaces on one machine, for {@code weft demo}, trace and doctor.
 * Arrives with issue 5; this module is an empty placeholder in the build until then.
 */
package io.weft.lab;
