#!/usr/bin/env bash
# Builds aftercare's Debian package from a built binary, with dpkg-deb alone.
#   packaging/deb/build.sh BINARY OUT_DIR
# The release package: cargo build --release && packaging/deb/build.sh target/release/aftercare dist
# Debug information is stripped from the packaged copy; the version is Cargo.toml's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="$1"
out="$2"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1)"
arch="$(dpkg --print-architecture)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

install -D -m 0755 "$binary" "$root/usr/bin/aftercare"
objcopy --strip-debug "$root/usr/bin/aftercare"
install -D -m 0644 "$here/aftercare.service" "$root/usr/lib/systemd/system/aftercare.service"
install -D -m 0644 "$here/aftercare.toml" "$root/etc/aftercare/aftercare.toml"
install -D -m 0640 "$here/aftercare.env" "$root/etc/aftercare/aftercare.env"
install -d -m 0755 "$root/usr/share/doc/aftercare"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/aftercare/README.md"
for doc in configuration operations scaling; do
    [ -f "$repo/docs/$doc.md" ] && install -m 0644 "$repo/docs/$doc.md" "$root/usr/share/doc/aftercare/"
done
cat > "$root/usr/share/doc/aftercare/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: aftercare
License: MIT
COPYRIGHT

install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
printf '/etc/aftercare/aftercare.toml\n/etc/aftercare/aftercare.env\n' > "$root/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
cat > "$root/DEBIAN/control" <<CONTROL
Package: aftercare
Version: $version
Architecture: $arch
Maintainer: aftercare developers <aftercare@localhost>
Installed-Size: $size
Depends: adduser, ca-certificates
Recommends: fonts-nanum | fonts-noto-cjk
Suggests: fonts-symbola, litestream
Section: web
Priority: optional
Description: post-purchase support sidecar for WooCommerce
 Mirrors a WooCommerce store's orders from signed webhooks into SQLite, issues
 invoices and credit notes, tracks parcels with a public tracking page and delay
 alerts, runs returns, messages, support requests and surveys, and reports on
 them. The service is installed disabled; configure it, run aftercare doctor,
 then enable it.
CONTROL

mkdir -p "$out"
deb="$out/aftercare_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "$deb"
