/**
 * What any RGrid implementation does before it submits, so that the embedded engine and a client
 * of a server do it the same way: preparing a run's spec ({@link
 * dev.rgrid.core.preparation.RunPreparation}), expanding a batch's inputs and giving each its
 * output folder ({@link dev.rgrid.core.preparation.BatchInputs}), downloading a batch's outputs
 * ({@link dev.rgrid.core.preparation.BatchDownloads}) and counting its refused inputs ({@link
 * dev.rgrid.core.preparation.NotSubmitted}), reading what an estimate needs ({@link
 * dev.rgrid.core.preparation.EstimateSubject}) and completing a spending limit ({@link
 * dev.rgrid.core.preparation.SpendingLimits}); and writing output files whole and verified, wherever
 * their bytes come from ({@link dev.rgrid.core.preparation.VerifiedDownloads}).
 *
 * <p>For implementations of {@link dev.rgrid.core.RGrid}, not for applications, which call
 * {@code RGrid} itself. Everything here is public so that another module may share it; the rest of
 * core stays in its {@code internal} packages.
 */
package dev.rgrid.core.preparation;
