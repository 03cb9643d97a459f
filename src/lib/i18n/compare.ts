import type { Dictionary } from './index.ts';

type Key =
  | 'label'
  | 'columns'
  | 'onlyDifferences'
  | 'allColumns'
  | 'status'
  | 'statusHidden'
  | 'aspect'
  | 'why'
  | 'source'
  | 'seeIt'
  | 'fromGuide'
  | 'corrects'
  | 'key'
  | 'level.good'
  | 'level.partial'
  | 'level.poor'
  | 'level.info'
  | 'scrollHint'
  | 'shareHint'
  | 'raceLink';

/** UI strings of the comparison table (row and cell texts live in content/compare/*.yaml). */
export const compareStrings: Dictionary<Key> = {
  'zh-CN': {
    label: '实时通信方式对比表',
    columns: '要比较的列',
    onlyDifferences: '只显示有差异的行',
    allColumns: '显示全部列',
    status: '显示 {cols}/{totalCols} 列、{rows}/{totalRows} 行。',
    statusHidden: '有 {hidden} 行因所选各列结论相同而隐藏。',
    aspect: '对比项',
    why: '为什么？',
    source: '依据：{source}',
    seeIt: '在“{chapter}”一章里验证',
    fromGuide: '原指南中的行',
    corrects: '更正原指南的第 {n} 处错误',
    key: '图例',
    'level.good': '强',
    'level.partial': '有条件',
    'level.poor': '弱',
    'level.info': '说明',
    scrollHint: '表格可以左右滚动；第一列固定不动。',
    shareHint: '地址栏中的链接会保留当前选择，可以直接分享。',
    raceLink: '在协议赛跑中实测',
  },
  en: {
    label: 'Comparison of real-time techniques',
    columns: 'Columns to compare',
    onlyDifferences: 'Show only rows that differ',
    allColumns: 'Show all columns',
    status: 'Showing {cols} of {totalCols} columns and {rows} of {totalRows} rows.',
    statusHidden:
      '{hidden, plural, one {# row is hidden because the chosen columns agree on it.} other {# rows are hidden because the chosen columns agree on them.}}',
    aspect: 'Aspect',
    why: 'Why?',
    source: 'Source: {source}',
    seeIt: 'See it in the “{chapter}” chapter',
    fromGuide: 'row of the original guide',
    corrects: 'corrects the guide’s error {n}',
    key: 'Key',
    'level.good': 'strong',
    'level.partial': 'with conditions',
    'level.poor': 'weak',
    'level.info': 'note',
    scrollHint: 'The table scrolls sideways; the first column stays in place.',
    shareHint: 'The link in the address bar keeps this choice, ready to share.',
    raceLink: 'Measure it in the protocol race',
  },
};
