#!/bin/sh
# Recreates the *.bin wire vectors with the local git (captured with git 2.39.5).
# push-*.bin are the bytes git push wrote to receive-pack's standard input, which is the
# same body that git sends in a smart-HTTP POST to git-receive-pack.
# adv-*.bin come from git receive-pack --advertise-refs --stateless-rpc, which git
# http-backend sends after its "# service=git-receive-pack" packet and a flush.
# report-*.bin are receive-pack's responses to push-create-two.bin.
set -eu
out=$(pwd)
tmp=$(mktemp -d)
cd "$tmp"
cat > rp.sh <<'SCRIPT'
#!/bin/sh
tee "$CAPTURE" | git-receive-pack "$@"
SCRIPT
chmod +x rp.sh
commit() { git -c user.name=t -c user.email=t@e commit -q --allow-empty -m "$1"; }

git init -q --bare remote.git
git init -q work
(cd work && commit one && commit two && git branch feature HEAD~1 &&
  CAPTURE="$out/push-create-two.bin" git push -q --receive-pack="$tmp/rp.sh" ../remote.git \
    HEAD:refs/heads/main feature:refs/heads/feature &&
  CAPTURE="$out/push-delete.bin" git push -q --receive-pack="$tmp/rp.sh" ../remote.git \
    :refs/heads/feature)

git init -q --bare empty.git
git receive-pack --advertise-refs --stateless-rpc empty.git > "$out/adv-empty.bin"
git receive-pack --advertise-refs --stateless-rpc remote.git > "$out/adv-main.bin"

git init -q --bare replay.git
git receive-pack --stateless-rpc replay.git < "$out/push-create-two.bin" > "$out/report-sideband.bin"
git init -q --bare hook.git
printf '#!/bin/sh\necho "policy says no" >&2\nexit 1\n' > hook.git/hooks/pre-receive
chmod +x hook.git/hooks/pre-receive
git receive-pack --stateless-rpc hook.git < "$out/push-create-two.bin" \
  > "$out/report-sideband-ng.bin" || true

git init -q --bare --object-format=sha256 r256.git
git -C r256.git config receive.advertisePushOptions true
git init -q --object-format=sha256 w256
(cd w256 && commit one &&
  CAPTURE="$out/push-sha256-options.bin" git push -q --push-option=ci.skip \
    --receive-pack="$tmp/rp.sh" ../r256.git HEAD:refs/heads/main)
rm -rf "$tmp"
