#!/usr/bin/env bash
# Regenerates languages/aftercare-for-woocommerce.pot from the sources, merges it into each .po
# and compiles the .mo files. Needs gettext (xgettext, msgmerge, msgfmt).
#   tools/i18n.sh          regenerate everything
#   tools/i18n.sh --pot F  only write the template to F (used by the tests to spot drift)
set -euo pipefail
cd "$(dirname "$0")/../aftercare-for-woocommerce"
domain=aftercare-for-woocommerce
version=$(sed -n 's/^ \* Version: *//p' "$domain.php")

pot_out="languages/$domain.pot"
only_pot=""
if [ "${1:-}" = "--pot" ]; then
  pot_out="$2"
  only_pot=1
fi

# block.json strings are translated with the contexts WordPress uses for them.
block_strings=$(mktemp --suffix=.php)
trap 'rm -f "$block_strings"' EXIT
php -r '
  $b = json_decode(file_get_contents("blocks/track/block.json"), true);
  echo "<?php\n";
  echo "_x(" . var_export($b["title"], true) . ", \"block title\", \"aftercare-for-woocommerce\");\n";
  echo "_x(" . var_export($b["description"], true) . ", \"block description\", \"aftercare-for-woocommerce\");\n";
  foreach ($b["keywords"] as $k) { echo "_x(" . var_export($k, true) . ", \"block keyword\", \"aftercare-for-woocommerce\");\n"; }
' > "$block_strings"

find "$domain.php" includes templates -name '*.php' | LC_ALL=C sort > /tmp/aftercare-i18n-files.$$
echo "$block_strings" >> /tmp/aftercare-i18n-files.$$
xgettext --language=PHP --from-code=UTF-8 --sort-by-file --add-comments=translators: \
  --package-name="Aftercare for WooCommerce" --package-version="$version" \
  --msgid-bugs-address="https://github.com/aftercare/aftercare/issues" \
  --keyword=__:1 --keyword=_e:1 --keyword=_x:1,2c --keyword=_n:1,2 --keyword=_nx:1,2,4c \
  --keyword=esc_html__:1 --keyword=esc_html_e:1 --keyword=esc_html_x:1,2c \
  --keyword=esc_attr__:1 --keyword=esc_attr_e:1 --keyword=esc_attr_x:1,2c \
  --keyword=_n_noop:1,2 --keyword=_nx_noop:1,2,3c \
  --files-from=/tmp/aftercare-i18n-files.$$ --output=- \
  | sed -e "s#$block_strings#blocks/track/block.json#" \
        -e 's/^"Content-Type: text\/plain; charset=CHARSET\\n"/"Content-Type: text\/plain; charset=UTF-8\\n"/' \
        -e '/^"POT-Creation-Date:/d' \
  > "$pot_out"
rm -f /tmp/aftercare-i18n-files.$$
[ -n "$only_pot" ] && exit 0

for po in languages/*.po; do
  [ -e "$po" ] || continue
  msgmerge --quiet --update --backup=none --no-fuzzy-matching --sort-by-file "$po" "$pot_out"
  msgfmt --check --output-file="${po%.po}.mo" "$po"
done
