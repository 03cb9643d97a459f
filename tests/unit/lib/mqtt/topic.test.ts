import { describe, expect, it } from 'vitest';
import {
  checkTopicFilter,
  checkTopicName,
  topicLevels,
  topicMatches,
} from '../../../../src/lib/wire/mqtt-topic.ts';

describe('topic filters (MQTT 3.1.1 §4.7, with the spec’s own examples)', () => {
  it.each([
    // §4.7.1.2: "sport/tennis/player1/#" matches these three.
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    // "sport/#" also matches the singular "sport" (# includes the parent level).
    ['sport/#', 'sport', true],
    ['#', 'sport/tennis', true],
    // §4.7.1.3: "sport/tennis/+" matches one level only.
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player2', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    // "sport/+" does not match "sport" but does match "sport/".
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    // §4.7.2: wildcards at the first level do not match $ topics [MQTT-4.7.2-1].
    ['#', '$SYS/broker/clients', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['$SYS/#', '$SYS/monitor/Clients', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    // Topic names are case-sensitive and levels exact.
    ['ACCOUNTS', 'Accounts', false],
    ['a/b', 'a/b/c', false],
  ])('%s against %s → %s', (filter, topic, expected) => {
    expect(checkTopicFilter(filter)).toBeNull();
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ['sport/tennis#', 'hash-not-alone', 'MQTT-4.7.1-2'],
    ['sport/tennis/#/ranking', 'hash-not-last', 'MQTT-4.7.1-2'],
    ['a/#/b', 'hash-not-last', 'MQTT-4.7.1-2'],
    ['sport+', 'plus-not-alone', 'MQTT-4.7.1-3'],
    ['', 'empty', 'MQTT-4.7.3-1'],
    ['a\u0000b', 'null-char', 'MQTT-4.7.3-2'],
  ])('rejects %j as %s [%s]', (filter, problem, rule) => {
    expect(checkTopicFilter(filter)).toMatchObject({ problem, rule });
  });

  it('accepts the valid wildcard forms of §4.7.1', () => {
    for (const f of ['+', '+/tennis/#', 'sport/+/player1', '#', '/', '+/+']) {
      expect(checkTopicFilter(f)).toBeNull();
    }
  });

  it('refuses wildcards in topic names [MQTT-3.3.2-2]', () => {
    expect(checkTopicName('a/+/b')).toMatchObject({ problem: 'wildcard-in-name', level: 1 });
    expect(checkTopicName('a/#')).toMatchObject({ problem: 'wildcard-in-name' });
    expect(checkTopicName('a/b')).toBeNull();
  });

  it('counts levels, empty ones included', () => {
    expect(topicLevels('a/b/c')).toBe(3);
    expect(topicLevels('/')).toBe(2);
    expect(topicLevels('a//b')).toBe(3);
  });
});
