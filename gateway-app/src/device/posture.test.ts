import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import { describe, it } from 'node:test';
import { postureFactsSchema } from './facts';
import { collectPosture, nftRulesetFilters, parseMountinfo, parseOsRelease } from './posture';
import { fixtureReaders, type PostureFixture } from './testing';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 86_400_000;

const DEBIAN =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

/** A mountinfo line as the kernel writes it. */
const mountLine = (id: number, majorMinor: string, mountPoint: string, fsType: string, source: string) =>
  `${id} 1 ${majorMinor} / ${mountPoint} rw,relatime shared:1 - ${fsType} ${source} rw\n`;

/** A Debian machine whose root is ext4 on `rootDevice`, with the sysfs entries given. */
function machine(
  extra: PostureFixture = {},
  root = mountLine(27, '254:1', '/', 'ext4', '/dev/vda1'),
): PostureFixture {
  return {
    now: NOW,
    ...extra,
    files: {
      '/etc/os-release': DEBIAN,
      '/proc/self/mountinfo': mountLine(22, '0:21', '/proc', 'proc', 'proc') + root,
      '/proc/net/ip_tables_names': '',
      '/sys/class/block/vda/dev': '254:0\n',
      '/sys/class/block/vda1/dev': '254:1\n',
      '/sys/class/block/vda1/partition': '1\n',
      ...extra.files,
    },
    links: { '/sys/dev/block/254:1': '/sys/devices/pci0000:00/virtio1/block/vda/vda1', ...extra.links },
  };
}

async function collect(fixture: PostureFixture, path?: string) {
  return collectPosture({ readers: fixtureReaders(fixture), ...(path ? { path } : {}) });
}

describe('collectPosture with fixture readers', () => {
  it('reads the operating system from os-release, kernel and architecture', async () => {
    const facts = await collect(machine({ kernel: '6.1.0-18-amd64', arch: 'arm64' }));
    assert.deepEqual(facts.os, {
      value: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
      source: '/etc/os-release',
    });
    assert.deepEqual(facts.kernel, { value: '6.1.0-18-amd64', source: 'os.release()' });
    assert.deepEqual(facts.arch, { value: 'arm64', source: 'os.arch()' });
    assert.equal(facts.platform, 'linux');
  });

  it('calls a root on a plain partition not encrypted', async () => {
    const facts = await collect(machine());
    assert.equal(facts.diskEncryption.value, false);
    assert.match(facts.diskEncryption.source, /^\/ \(ext4\) on vda1: no dm-crypt/);
  });

  it('calls a root on a dm-crypt mapping encrypted', async () => {
    const facts = await collect(
      machine(
        {
          files: {
            '/sys/class/block/dm-0/dm/uuid': 'CRYPT-LUKS2-0123456789abcdef0123456789abcdef-luks-root\n',
            '/sys/class/block/dm-0/slaves/nvme0n1p3/dev': '259:3\n',
          },
          links: { '/dev/mapper/luks-root': '/dev/dm-0' },
        },
        mountLine(27, '253:0', '/', 'ext4', '/dev/mapper/luks-root'),
      ),
    );
    assert.equal(facts.diskEncryption.value, true);
    assert.match(facts.diskEncryption.source, /on dm-0: dm-crypt/);
    assert.doesNotMatch(facts.diskEncryption.source, /luks-root|0123456789/, 'no mapping names or UUIDs');
  });

  it('follows LVM down to the dm-crypt device it sits on', async () => {
    const facts = await collect(
      machine(
        {
          files: {
            '/sys/class/block/dm-1/dm/uuid': 'LVM-abc\n',
            '/sys/class/block/dm-1/slaves/dm-0/dev': '253:0\n',
            '/sys/class/block/dm-0/dm/uuid': 'CRYPT-LUKS2-abc-sda3_crypt\n',
            '/sys/class/block/dm-0/slaves/sda3/dev': '8:3\n',
            '/sys/class/block/sda3/dev': '8:3\n',
          },
          links: { '/dev/mapper/vg-root': '/dev/dm-1' },
        },
        mountLine(27, '253:1', '/', 'ext4', '/dev/mapper/vg-root'),
      ),
    );
    assert.equal(facts.diskEncryption.value, true);
  });

  it('calls LVM without dm-crypt underneath not encrypted', async () => {
    const facts = await collect(
      machine(
        {
          files: {
            '/sys/class/block/dm-1/dm/uuid': 'LVM-abc\n',
            '/sys/class/block/dm-1/slaves/sda3/dev': '8:3\n',
            '/sys/class/block/sda3/dev': '8:3\n',
          },
          links: { '/dev/mapper/vg-root': '/dev/dm-1' },
        },
        mountLine(27, '253:1', '/', 'ext4', '/dev/mapper/vg-root'),
      ),
    );
    assert.equal(facts.diskEncryption.value, false);
  });

  it('finds the device of /dev/root through its device number', async () => {
    const facts = await collect(machine({}, mountLine(27, '254:1', '/', 'ext4', '/dev/root')));
    assert.equal(facts.diskEncryption.value, false);
    assert.match(facts.diskEncryption.source, /on vda1/);
  });

  it('checks the filesystem of the given path, the longest mount above it', async () => {
    const fixture = machine({
      files: {
        '/sys/class/block/dm-2/dm/uuid': 'CRYPT-LUKS2-abc-home\n',
        '/sys/class/block/dm-2/slaves/vda2/dev': '254:2\n',
        '/sys/class/block/vda2/dev': '254:2\n',
      },
      links: { '/dev/mapper/home': '/dev/dm-2' },
    });
    fixture.files = {
      ...fixture.files,
      '/proc/self/mountinfo':
        (fixture.files?.['/proc/self/mountinfo'] ?? '') +
        mountLine(40, '253:2', '/home', 'ext4', '/dev/mapper/home'),
    };
    assert.equal((await collect(fixture)).diskEncryption.value, false);
    const home = await collect(fixture, '/home/alice/.config/medshare/device');
    assert.equal(home.diskEncryption.value, true);
    assert.doesNotMatch(home.diskEncryption.source, /alice/, 'a data directory path names its user');
  });

  it('does not guess for filesystems without a visible block device', async () => {
    for (const [fsType, source] of [
      ['overlay', 'overlay'],
      ['tmpfs', 'tmpfs'],
      ['zfs', 'rpool/ROOT/debian'],
    ] as const) {
      const facts = await collect(machine({}, mountLine(27, '0:30', '/', fsType, source)));
      assert.equal(facts.diskEncryption.value, null, fsType);
      assert.match(facts.diskEncryption.source, /no backing block device/);
    }
  });

  it('does not follow a loop device to its backing file', async () => {
    const facts = await collect(
      machine(
        {
          files: { '/sys/class/block/loop0/loop/backing_file': '/var/lib/image.img\n' },
          links: { '/sys/dev/block/7:0': '/sys/devices/virtual/block/loop0' },
        },
        mountLine(27, '7:0', '/', 'ext4', '/dev/loop0'),
      ),
    );
    assert.equal(facts.diskEncryption.value, null);
    assert.match(facts.diskEncryption.source, /on loop0: the device stack could not be followed/);
  });

  it('asks lsblk when sysfs does not know the device', async () => {
    const calls: (readonly string[])[] = [];
    const facts = await collect(
      machine(
        {
          executables: {
            '/usr/bin/lsblk': (args) => {
              calls.push(args);
              return { exitCode: 0, stdout: 'crypt\npart\ndisk\n' };
            },
          },
        },
        mountLine(27, '253:9', '/', 'ext4', '/dev/mapper/hidden'),
      ),
    );
    assert.equal(facts.diskEncryption.value, true);
    assert.deepEqual(calls, [['-n', '-r', '-s', '-o', 'TYPE', '/dev/mapper/hidden']]);
  });

  it('reports the newest package-manager record and its age in days', async () => {
    const facts = await collect(
      machine({
        mtimes: {
          '/var/lib/dpkg/status': new Date(NOW.getTime() - 9 * DAY_MS),
          '/var/log/dpkg.log': new Date(NOW.getTime() - 3.5 * DAY_MS),
          '/var/log/apt/history.log': new Date(NOW.getTime() - 40 * DAY_MS),
        },
      }),
    );
    assert.deepEqual(facts.lastSecurityUpdate.value, {
      at: new Date(NOW.getTime() - 3.5 * DAY_MS).toISOString(),
      ageDays: 3,
    });
    assert.equal(
      facts.lastSecurityUpdate.source,
      'mtime of /var/log/dpkg.log (newest of 3 package-manager records)',
    );
  });

  it('reports no update age when there is no package-manager record', async () => {
    const facts = await collect(machine());
    assert.equal(facts.lastSecurityUpdate.value, null);
    assert.match(facts.lastSecurityUpdate.source, /no package-manager record/);
  });

  it('sees an enabled ufw as a firewall', async () => {
    const facts = await collect(
      machine({ files: { '/etc/ufw/ufw.conf': '# comment\nENABLED=yes\nLOGLEVEL=low\n' } }),
    );
    assert.deepEqual(facts.firewall, { value: true, source: '/etc/ufw/ufw.conf: ENABLED=yes' });
  });

  it('reads the nftables ruleset when nft may list it', async () => {
    const ruleset = (chain: string) => `table inet filter {\n\tchain input {\n${chain}\t}\n}\n`;
    const withRuleset = (text: string) =>
      machine({ executables: { '/usr/sbin/nft': () => ({ exitCode: 0, stdout: text }) } });
    const on = await collect(
      withRuleset(
        ruleset('\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 accept\n'),
      ),
    );
    assert.equal(on.firewall.value, true);
    const drop = await collect(
      withRuleset(ruleset('\t\ttype filter hook input priority filter; policy drop;\n')),
    );
    assert.equal(drop.firewall.value, true);
    const empty = await collect(withRuleset(''));
    assert.equal(empty.firewall.value, false);
    const acceptAll = await collect(
      withRuleset(ruleset('\t\ttype filter hook input priority filter; policy accept;\n')),
    );
    assert.equal(acceptAll.firewall.value, false);
  });

  it('does not know about the firewall when nft is not permitted and nothing else shows one', async () => {
    const facts = await collect(
      machine({ executables: { '/usr/sbin/nft': () => ({ exitCode: 1, stdout: '' }) } }),
    );
    assert.equal(facts.firewall.value, null);
    assert.match(facts.firewall.source, /not permitted/);
    assert.equal((await collect(machine())).firewall.value, null);
  });

  it('takes a loaded iptables-legacy filter table as a firewall', async () => {
    const facts = await collect(machine({ files: { '/proc/net/ip_tables_names': 'nat\nfilter\n' } }));
    assert.equal(facts.firewall.value, true);
    assert.match(facts.firewall.source, /ip_tables_names/);
  });

  it('reads the screen lock from gsettings only with a desktop session', async () => {
    const gsettings = (answer: string) => ({
      '/usr/bin/gsettings': (args: readonly string[]) => {
        assert.deepEqual(args, ['get', 'org.gnome.desktop.screensaver', 'lock-enabled']);
        return { exitCode: 0, stdout: `${answer}\n` };
      },
    });
    const session = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };
    const on = await collect(machine({ env: session, executables: gsettings('true') }));
    assert.equal(on.screenLock.value, true);
    const off = await collect(machine({ env: session, executables: gsettings('false') }));
    assert.equal(off.screenLock.value, false);
    const headless = await collect(machine({ executables: gsettings('true') }));
    assert.equal(headless.screenLock.value, null, 'gsettings without a session bus answers defaults');
    assert.equal((await collect(machine())).screenLock.value, null);
  });

  it('reports only the kernel and architecture on other platforms', async () => {
    const facts = await collect({ platform: 'darwin', kernel: '23.4.0', arch: 'arm64' });
    assert.equal(facts.platform, 'darwin');
    assert.equal(facts.kernel.value, '23.4.0');
    for (const fact of [
      facts.os,
      facts.lastSecurityUpdate,
      facts.diskEncryption,
      facts.firewall,
      facts.screenLock,
    ]) {
      assert.deepEqual(fact, { value: null, source: 'not read on darwin' });
    }
  });

  it('produces facts the gateway parses', async () => {
    const facts = await collect(machine({ kernel: 'x'.repeat(500) }));
    assert.equal(postureFactsSchema.safeParse(facts).success, true);
  });
});

describe('collectPosture on this machine', () => {
  it('returns well-formed facts without the hostname or user name', async () => {
    const facts = await collectPosture();
    const parsed = postureFactsSchema.safeParse(facts);
    assert.equal(parsed.success, true, parsed.error?.message);
    assert.equal(facts.platform, process.platform);
    assert.ok(facts.kernel.value, 'the kernel release is always known');
    const word = (text: string) =>
      new RegExp(`(^|[^A-Za-z0-9])${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`, 'i');
    const sources = [
      facts.os,
      facts.kernel,
      facts.arch,
      facts.lastSecurityUpdate,
      facts.diskEncryption,
      facts.firewall,
      facts.screenLock,
    ].map((f) => f.source);
    for (const source of sources) {
      assert.doesNotMatch(source, word(hostname()), 'no hostname');
      assert.doesNotMatch(source, word(userInfo().username), 'no user name');
    }
  });
});

describe('parsers', () => {
  it('parses os-release quoting', () => {
    const fields = parseOsRelease(
      'NAME="Ubuntu"\nVERSION_ID=\'24.04\'\nID=ubuntu\nBAD LINE\nX="a \\"b\\""\n',
    );
    assert.equal(fields.get('NAME'), 'Ubuntu');
    assert.equal(fields.get('VERSION_ID'), '24.04');
    assert.equal(fields.get('ID'), 'ubuntu');
    assert.equal(fields.get('X'), 'a "b"');
  });

  it('parses mountinfo with optional fields and escaped spaces', () => {
    const mounts = parseMountinfo(
      '36 35 98:0 / /mnt/my\\040disk rw,noatime master:1 shared:2 - ext3 /dev/root rw\n',
    );
    assert.deepEqual(mounts, [
      { majorMinor: '98:0', mountPoint: '/mnt/my disk', fsType: 'ext3', source: '/dev/root' },
    ]);
  });

  it('tells a filtering nft ruleset from one that filters nothing', () => {
    assert.equal(
      nftRulesetFilters(
        'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tmasquerade\n\t}\n}\n',
      ),
      false,
    );
    assert.equal(
      nftRulesetFilters(
        'table inet f {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy drop;\n\t}\n}\n',
      ),
      false,
    );
  });
});
