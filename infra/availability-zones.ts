/**
 * Which Availability Zones the VPC spans (pure). Redshift Serverless needs the workgroup's
 * subnets in three zones whose Availability Zone IDs it supports. A zone's name (`us-east-1a`)
 * maps to a different physical zone in each account; its ID (`use1-az4`) is the same in every
 * account, so the choice is made by ID, and the names awsx needs are looked up from it.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html
 * @see https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
 */

/**
 * Zones Redshift Serverless needs the workgroup's subnets in (with enhanced VPC routing, which
 * the workgroup uses). US West (N. California) has two zones and takes three subnets across two
 * of them instead; the one VPC subnet per zone this program makes cannot serve it.
 */
export const redshiftZoneCount = 3;

/**
 * The one list of Availability Zone IDs Redshift Serverless supports, per region: where the
 * workgroup's subnets may go. A region not listed is taken to support all its zones (the VPC
 * component warns). Check a region's entry against the "Availability Zone IDs" consideration of
 * the page below (or the zones the Redshift console offers for a workgroup) before adding it.
 * us-east-1: every zone but `use1-az3`, the region's constrained legacy zone that newer services
 * (EFS One Zone, WorkSpaces, EKS control planes) leave out.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html
 */
export const redshiftServerlessZoneIds: Readonly<Record<string, readonly string[]>> = {
  "us-east-1": ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"],
};

/** What `aws.getAvailabilityZones` returns: names and IDs, in the same order. */
export interface ZoneListing {
  /** Zone names as this account sees them, e.g. `us-east-1a`. */
  readonly names: readonly string[];
  /** Zone IDs, e.g. `use1-az4`, position for position with `names`. */
  readonly zoneIds: readonly string[];
}

/** The chosen zones, in zone-ID order. */
export interface ZoneChoice {
  /** Zone names, for awsx's `availabilityZoneNames`. */
  readonly names: string[];
  /** Their zone IDs. */
  readonly zoneIds: string[];
}

/**
 * Chooses {@link redshiftZoneCount} zones whose IDs Redshift Serverless supports: the lowest
 * supported zone IDs, so every account deploys to the same physical zones and the choice does
 * not move when AWS lists zones in another order.
 * @param supportedZoneIds the region's supported IDs ({@link redshiftServerlessZoneIds}), or
 *   `undefined`: every listed zone counts as supported.
 * @throws Error naming the region's zones when fewer than three are supported.
 */
export function chooseRedshiftZones(region: string, listing: ZoneListing, supportedZoneIds: readonly string[] | undefined): ZoneChoice {
  if (listing.names.length !== listing.zoneIds.length) {
    throw new Error(`getAvailabilityZones returned ${listing.names.length} names but ${listing.zoneIds.length} zone IDs`);
  }
  const zones = listing.zoneIds
    .map((zoneId, i) => ({ zoneId, name: listing.names[i]! }))
    .filter((zone) => supportedZoneIds === undefined || supportedZoneIds.includes(zone.zoneId))
    .sort((a, b) => a.zoneId.localeCompare(b.zoneId, "en", { numeric: true }));
  if (zones.length < redshiftZoneCount) {
    const offered = listing.zoneIds.map((id, i) => `${listing.names[i]} (${id})`).join(", ") || "none";
    const supported = supportedZoneIds === undefined ? "" : `; Redshift Serverless supports ${supportedZoneIds.join(", ")}`;
    throw new Error(
      `Redshift Serverless needs subnets in ${redshiftZoneCount} Availability Zones it supports, but region ${region} offers this account ` +
        `only ${zones.length}: zones ${offered}${supported}. Deploy to another region ` +
        "(see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html).",
    );
  }
  const chosen = zones.slice(0, redshiftZoneCount);
  return { names: chosen.map((zone) => zone.name), zoneIds: chosen.map((zone) => zone.zoneId) };
}
