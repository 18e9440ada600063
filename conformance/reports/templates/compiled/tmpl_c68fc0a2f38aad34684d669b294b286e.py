# Compiled by jinja2 3.1.6 from conformance/reports/templates/report.html.j2 (tools/report_templates.py).
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'report.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_v = resolve('v')
    l_0_statuses = resolve('statuses')
    l_0_run = l_0_d = l_0_long_value = l_0_long_block = l_0_evidence = l_0_requirement_head = l_0_failures_of = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    l_0_run = environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'run')
    context.vars['run'] = l_0_run
    context.exported_vars.add('run')
    l_0_d = environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'details')
    context.vars['d'] = l_0_d
    context.exported_vars.add('d')
    def macro(l_1_value):
        t_4 = []
        l_1_long = resolve('long')
        if l_1_value is missing:
            l_1_value = undefined("parameter 'value' was not provided", name='value')
        pass
        if (t_2(l_1_value) > (undefined(name='long') if l_1_long is missing else l_1_long)):
            pass
            t_4.extend((
                '<span class="cut">',
                escape(l_1_value[:(undefined(name='long') if l_1_long is missing else l_1_long)]),
                '…</span> <details class="whole"><summary>',
                escape(t_2(l_1_value)),
                ' characters: show all</summary><pre>',
                escape(l_1_value),
                '</pre></details>',
            ))
        else:
            pass
            t_4.append(
                escape(l_1_value),
            )
        return concat(t_4)
    context.exported_vars.add('long_value')
    context.vars['long_value'] = l_0_long_value = Macro(environment, macro, 'long_value', ('value',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_value, l_1_what):
        t_5 = []
        l_1_long = resolve('long')
        if l_1_value is missing:
            l_1_value = undefined("parameter 'value' was not provided", name='value')
        if l_1_what is missing:
            l_1_what = undefined("parameter 'what' was not provided", name='what')
        pass
        t_5.extend((
            '<pre>',
            escape(l_1_value[:((undefined(name='long') if l_1_long is missing else l_1_long) * 2)]),
        ))
        if (t_2(l_1_value) > ((undefined(name='long') if l_1_long is missing else l_1_long) * 2)):
            pass
            t_5.append(
                '…',
            )
        t_5.append(
            '</pre>\n',
        )
        if (t_2(l_1_value) > ((undefined(name='long') if l_1_long is missing else l_1_long) * 2)):
            pass
            t_5.extend((
                '<details class="whole"><summary>',
                escape(l_1_what),
                ', ',
                escape(t_2(l_1_value)),
                ' characters: show all</summary><pre>',
                escape(l_1_value),
                '</pre></details>',
            ))
        return concat(t_5)
    context.exported_vars.add('long_block')
    context.vars['long_block'] = l_0_long_block = Macro(environment, macro, 'long_block', ('value', 'what'), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_row, l_1_f):
        t_6 = []
        l_1_e = missing
        if l_1_row is missing:
            l_1_row = undefined("parameter 'row' was not provided", name='row')
        if l_1_f is missing:
            l_1_f = undefined("parameter 'f' was not provided", name='f')
        pass
        l_1_e = environment.getattr(l_1_f, 'shown')
        t_6.append(
            '  <p class="broken">',
        )
        if environment.getattr(l_1_f, 'check'):
            pass
            t_6.extend((
                '<code>',
                escape(environment.getattr(l_1_f, 'check')),
                '</code>: ',
            ))
        t_6.extend((
            'expected ',
            escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), environment.getattr(l_1_f, 'expected'))),
            '; <b>got</b> ',
            escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), environment.getattr(l_1_f, 'actual'))),
            '</p>\n',
        ))
        if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'example'):
            pass
            t_6.extend((
                '<p class="small">Hypothesis\' example:</p>',
                escape(context.call((undefined(name='long_block') if l_0_long_block is missing else l_0_long_block), environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'example'), 'the whole example')),
            ))
        if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'steps'):
            pass
            t_6.extend((
                '<details><summary>The sequence of calls that led here (',
                escape(t_2(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'steps'))),
                ' steps, shrunk by Hypothesis)</summary>\n  <ol class="steps">',
            ))
            for l_2_step in environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'steps'):
                _loop_vars = {}
                pass
                t_6.extend((
                    '<li>',
                    escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), l_2_step, _loop_vars=_loop_vars)),
                    '</li>',
                ))
            l_2_step = missing
            t_6.append(
                '</ol></details>',
            )
        if environment.getattr(l_1_f, 'curl'):
            pass
            t_6.append(
                '<p class="small">Replay it (credentials from your environment)',
            )
            if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'replay_note'):
                pass
                t_6.extend((
                    ': ',
                    escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'replay_note')),
                ))
            t_6.extend((
                '</p>\n  <pre class="curl">',
                escape(environment.getattr(l_1_f, 'curl')),
                '</pre>',
            ))
        if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'request'):
            pass
            t_6.append(
                '  <details class="exchange"><summary>Request and response',
            )
            if (not t_3(environment.getattr(l_1_f, 'response_status'))):
                pass
                t_6.extend((
                    ' (HTTP ',
                    escape(environment.getattr(l_1_f, 'response_status')),
                    ')',
                ))
            t_6.extend((
                '</summary>\n    <p><b>',
                escape(environment.getattr(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'request'), 'method')),
                '</b> <code>',
                escape(environment.getattr(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'request'), 'endpoint')),
                '</code>, ',
                escape(('unsigned' if (environment.getattr(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'request'), 'signed_by') == 'unsigned') else markup_join(('signed with ', environment.getattr(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'request'), 'signed_by'), )))),
                ' (credentials never shown)</p>\n    <table class="params">',
            ))
            for (l_2_name, l_2_value) in environment.getattr(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'request'), 'params'):
                _loop_vars = {}
                pass
                t_6.extend((
                    '<tr><th>',
                    escape(l_2_name),
                    '</th><td>',
                    escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), l_2_value, _loop_vars=_loop_vars)),
                    '</td></tr>',
                ))
            l_2_name = l_2_value = missing
            t_6.extend((
                '</table>\n    <p>HTTP ',
                escape(environment.getattr(l_1_f, 'response_status')),
            ))
            if (not t_3(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'elapsed_ms'))):
                pass
                t_6.extend((
                    ' in ',
                    escape(environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'elapsed_ms')),
                    ' ms',
                ))
            for (l_2_name, l_2_value) in environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'response_headers'):
                _loop_vars = {}
                pass
                t_6.extend((
                    ' · ',
                    escape(l_2_name),
                    ': ',
                    escape(l_2_value),
                ))
            l_2_name = l_2_value = missing
            t_6.append(
                '</p>\n',
            )
            if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'response_body'):
                pass
                t_6.append(
                    escape(context.call((undefined(name='long_block') if l_0_long_block is missing else l_0_long_block), environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'response_body'), markup_join(('the body as kept', (' (the target sent more)' if environment.getattr((undefined(name='e') if l_1_e is missing else l_1_e), 'body_truncated') else ''), )))),
                )
            t_6.append(
                '  </details>\n',
            )
        return concat(t_6)
    context.exported_vars.add('evidence')
    context.vars['evidence'] = l_0_evidence = Macro(environment, macro, 'evidence', ('row', 'f'), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_row):
        t_7 = []
        if l_1_row is missing:
            l_1_row = undefined("parameter 'row' was not provided", name='row')
        pass
        t_7.extend((
            '<span class="id">',
            escape(environment.getattr(l_1_row, 'id')),
            '</span> ',
            escape(environment.getattr(l_1_row, 'title')),
            ' <span class="tag">',
            escape(environment.getattr(l_1_row, 'category')),
            '</span>',
        ))
        return concat(t_7)
    context.exported_vars.add('requirement_head')
    context.vars['requirement_head'] = l_0_requirement_head = Macro(environment, macro, 'requirement_head', ('row',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_row):
        t_8 = []
        if l_1_row is missing:
            l_1_row = undefined("parameter 'row' was not provided", name='row')
        pass
        t_8.extend((
            '<p class="page">The page: <q>',
            escape(environment.getattr(l_1_row, 'source')),
            '</q>',
        ))
        if environment.getattr(environment.getattr(l_1_row, 'shown'), 'evidence_level'):
            pass
            t_8.extend((
                ' <span class="small" title="',
                escape(environment.getattr(environment.getattr(l_1_row, 'shown'), 'evidence_source')),
                '">(',
                escape(environment.getattr(environment.getattr(l_1_row, 'shown'), 'evidence_level')),
                ')</span>',
            ))
        t_8.append(
            '</p>\n',
        )
        for l_2_f in environment.getattr(l_1_row, 'failures')[:2]:
            _loop_vars = {}
            pass
            t_8.append(
                escape(context.call((undefined(name='evidence') if l_0_evidence is missing else l_0_evidence), l_1_row, l_2_f, _loop_vars=_loop_vars)),
            )
        l_2_f = missing
        if (t_2(environment.getattr(l_1_row, 'failures')) > 2):
            pass
            t_8.extend((
                '<details><summary>',
                escape((t_2(environment.getattr(l_1_row, 'failures')) - 2)),
                ' more failure(s) of ',
                escape(environment.getattr(l_1_row, 'id')),
                '</summary>\n',
            ))
            for l_2_f in environment.getattr(l_1_row, 'failures')[2:]:
                _loop_vars = {}
                pass
                t_8.append(
                    escape(context.call((undefined(name='evidence') if l_0_evidence is missing else l_0_evidence), l_1_row, l_2_f, _loop_vars=_loop_vars)),
                )
            l_2_f = missing
            t_8.append(
                '</details>',
            )
        if environment.getattr(environment.getattr(l_1_row, 'shown'), 'notes'):
            pass
            t_8.extend((
                '<p class="small">Notes: ',
                escape(t_1(context.eval_ctx, environment.getattr(environment.getattr(l_1_row, 'shown'), 'notes'), '; ')),
                '</p>',
            ))
        return concat(t_8)
    context.exported_vars.add('failures_of')
    context.vars['failures_of'] = l_0_failures_of = Macro(environment, macro, 'failures_of', ('row',), False, False, False, context.eval_ctx.autoescape)
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:; base-uri \'none\'; form-action \'none\'">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>iam-conformance: '
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'verdict'))
    yield ' (gate '
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'gate'))
    yield ')'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'partial'):
        pass
        yield ', partial'
    yield ' — '
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'target'))
    yield '</title>\n<style>\n  * { box-sizing: border-box; }\n  body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 12px 20px; max-width: 1280px; color: #222; }\n  h1 { font-size: 22px; margin: 4px 0; } h2 { font-size: 17px; margin: 18px 0 6px; border-bottom: 1px solid #ddd; }\n  h3 { font-size: 15px; margin: 10px 0 4px; }\n  p { margin: 4px 0; }\n  table { border-collapse: collapse; margin: 6px 0; max-width: 100%; }\n  th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }\n  pre { background: #f6f6f6; padding: 6px 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 100%; }\n  code, .id { font-family: ui-monospace, monospace; }\n  .id { font-weight: bold; white-space: nowrap; }\n  .tag { font-size: 11px; color: #555; border: 1px solid #ccc; border-radius: 3px; padding: 0 4px; }\n  .small, .page { font-size: 12px; color: #555; }\n  .pass, .passed, .conformant { color: #176917; } .fail, .failed, .nonconformant { color: #b00020; }\n  .incomplete, .partial, .error { color: #8a2be2; } .known { color: #8a5a00; } .skipped, .untested { color: #777; }\n  .verdict { display: flex; flex-wrap: wrap; gap: 4px 24px; align-items: baseline; }\n  .banner { border: 2px solid #8a2be2; padding: 4px 10px; margin: 6px 0; }\n  .banner ul { margin: 2px 0; padding-left: 20px; }\n  .strip { font-size: 13px; } .strip b { font-size: 15px; }\n  section.failure { border-left: 4px solid #b00020; padding: 2px 0 2px 10px; margin: 8px 0 14px; }\n  section.error { border-left-color: #8a2be2; }\n  .broken { font-size: 14px; }\n  details > summary { cursor: pointer; }\n  details.line > summary { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 2px 0; }\n  details.line[open] { border-left: 4px solid #8a5a00; padding-left: 10px; margin: 4px 0 10px; }\n  details.whole, details.whole > summary { display: inline; } details.whole[open] { display: block; }\n  details.whole > summary { color: #1a55a0; font-size: 12px; }\n  table.requirements { width: 100%; table-layout: fixed; }\n  table.requirements col.c-id { width: 7em; } table.requirements col.c-status { width: 9em; }\n  table.requirements col.c-cat { width: 7em; } table.requirements col.c-ev { width: 8em; }\n  table.coverage { width: 100%; table-layout: fixed; }\n  table.coverage col.c-clause { width: 15em; }\n  table.coverage td, table.coverage th { font-size: 12px; overflow-wrap: normal; }\n  table.coverage a { font-family: ui-monospace, monospace; white-space: nowrap; }\n  table.params th { white-space: nowrap; font-weight: normal; font-family: ui-monospace, monospace; }\n</style>\n</head>\n<body>\n<header>\n<div class="verdict">\n<h1>ListSigningCertificates: <span class="'
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'verdict'))
    yield '">'
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'verdict'))
    yield '</span>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'partial'):
        pass
        yield ' <span class="partial">(partial)</span>'
    yield '</h1>\n<h1>gate: <span class="'
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'gate'))
    yield '">'
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'gate'))
    yield '</span></h1>\n</div>\n<p class="strip">\n'
    if environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'baseline'):
        pass
        yield '<b class="'
        yield escape(('fail' if environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'unexpected') else 'pass'))
        yield '">'
        yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'unexpected'))
        yield '</b> unexpected failure(s) ·\n  <b class="known">'
        yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'known'))
        yield '</b> known deviation(s) of baseline <code>'
        yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'baseline'))
        yield '</code>'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'strict_baseline'):
            pass
            yield ' (strict)'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'drift'):
            pass
            yield '· <b class="fail">'
            yield escape(t_2(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'drift')))
            yield '</b> drifted'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'now_passing'):
            pass
            yield ' · <b>'
            yield escape(t_2(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'now_passing')))
            yield '</b> baseline entries now passing'
        yield ' ·\n'
    else:
        pass
        yield '<b class="'
        yield escape(('fail' if environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'failed') else 'pass'))
        yield '">'
        yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'failed'))
        yield '</b> failed (no baseline) ·'
    yield '  <b class="passed">'
    yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'passed'))
    yield '</b> passed · <b class="error">'
    yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'error'))
    yield '</b> suite error(s) ·\n  <b class="untested">'
    yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'untested'))
    yield '</b> untested · <b class="skipped">'
    yield escape(environment.getattr(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), 'skipped'))
    yield '</b> skipped\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'partial'):
        pass
        yield '· <span class="partial">a partial run: '
        yield escape(t_2(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'selected')))
        yield ' of '
        yield escape(t_2(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'rows')))
        yield ' requirements asked for; it never passes the gate</span>'
    yield '</p>\n<p class="small">Target <code>'
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'target'))
    yield '</code>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'caller'):
        pass
        yield ' as '
        yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'caller'))
    yield ' · suite '
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'suite_version'))
    yield ' · API '
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'api_version'))
    yield ' ·\n  started '
    yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'started'))
    if (not t_3(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'duration_s'))):
        pass
        yield ' · '
        yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'duration_s'))
        yield ' s'
    if (not t_3(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'request_count'))):
        pass
        yield ' · '
        yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'request_count'))
        yield ' requests'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'retries'):
            pass
            yield ' ('
            yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'retries'))
            yield ' retried)'
    yield ' ·\n  profile '
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'profile'))
    yield ' · Hypothesis seed <code>'
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'seed'))
    yield '</code>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'read_only'):
        pass
        yield ' · read-only'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'pace_note'):
        pass
        yield ' · '
        yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'pace_note'))
    yield '</p>\n'
    if environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'incomplete_reasons'):
        pass
        yield '<div class="banner"><b>'
        yield escape(('Also incomplete' if (environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'verdict') == 'nonconformant') else 'Incomplete'))
        yield ':</b> the run cannot vouch for what it did not see; no baseline absorbs this.\n<ul>'
        for l_1_reason in environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'incomplete_reasons'):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), l_1_reason, _loop_vars=_loop_vars))
            yield '</li>'
        l_1_reason = missing
        yield '</ul></div>\n'
    yield '</header>\n\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'unexpected'):
        pass
        yield '<h2 id="failures">'
        yield escape(('Unexpected failures' if environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'baseline') else 'Failures'))
        yield ' ('
        yield escape(t_2(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'unexpected')))
        yield ')'
        if environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'baseline'):
            pass
            yield ': not in baseline <code>'
            yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'baseline'))
            yield '</code>'
        yield '</h2>\n'
        for l_1_row in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'unexpected'):
            _loop_vars = {}
            pass
            yield '<section class="failure" id="'
            yield escape(environment.getattr(l_1_row, 'id'))
            yield '">\n<h3>'
            yield escape(context.call((undefined(name='requirement_head') if l_0_requirement_head is missing else l_0_requirement_head), l_1_row, _loop_vars=_loop_vars))
            yield '</h3>\n'
            yield escape(context.call((undefined(name='failures_of') if l_0_failures_of is missing else l_0_failures_of), l_1_row, _loop_vars=_loop_vars))
            yield '\n</section>\n'
        l_1_row = missing
    yield '\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'errors'):
        pass
        yield '<h2 id="errors">Suite errors ('
        yield escape(t_2(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'errors')))
        yield "): the suite could not do its part, not the target's deviation</h2>\n"
        for l_1_row in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'errors'):
            _loop_vars = {}
            pass
            yield '<section class="failure error" id="'
            yield escape(environment.getattr(l_1_row, 'id'))
            yield '">\n<h3>'
            yield escape(context.call((undefined(name='requirement_head') if l_0_requirement_head is missing else l_0_requirement_head), l_1_row, _loop_vars=_loop_vars))
            yield '</h3>\n<p>'
            yield escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), environment.getattr(l_1_row, 'reason'), _loop_vars=_loop_vars))
            yield '</p>\n'
            for l_2_e in environment.getattr(environment.getattr(l_1_row, 'shown'), 'errors')[1:3]:
                _loop_vars = {}
                pass
                yield '<pre>'
                yield escape(l_2_e)
                yield '</pre>'
            l_2_e = missing
            yield '</section>\n'
        l_1_row = missing
    yield '\n'
    if (environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'drift') or environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'now_passing')):
        pass
        yield '<h2 id="baseline-news">The baseline\'s news'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'strict_baseline'):
            pass
            yield ' (fails the gate: --strict-baseline)'
        yield '</h2>\n'
        l_1_loop = missing
        for l_1_drift, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'drift'), undefined):
            _loop_vars = {}
            pass
            yield '<p><a href="#'
            yield escape(environment.getattr(l_1_drift, 'id'))
            yield '"><span class="id">'
            yield escape(environment.getattr(l_1_drift, 'id'))
            yield '</span></a> drifted: a known deviation that now fails otherwise than the baseline recorded.\n  Now '
            l_2_loop = missing
            for l_2_s, l_2_loop in LoopContext(environment.getattr(l_1_drift, 'seen'), undefined):
                _loop_vars = {}
                pass
                yield '<code>'
                yield escape(l_2_s)
                yield '</code>'
                yield escape((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 133 in 'report.html.j2' evaluated to false and no else section was defined.")))
            l_2_loop = l_2_s = missing
            yield '; recorded '
            l_2_loop = missing
            for l_2_s, l_2_loop in LoopContext(environment.getattr(l_1_drift, 'recorded'), undefined):
                _loop_vars = {}
                pass
                yield '<code>'
                yield escape(l_2_s)
                yield '</code>'
                yield escape((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 133 in 'report.html.j2' evaluated to false and no else section was defined.")))
            l_2_loop = l_2_s = missing
            yield '.</p>\n'
        l_1_loop = l_1_drift = missing
        for l_1_row in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'now_passing'):
            _loop_vars = {}
            pass
            yield '<p><span class="id">'
            yield escape(environment.getattr(l_1_row, 'id'))
            yield '</span> now passes: listed in the baseline, passed this run ('
            yield escape(environment.getattr(l_1_row, 'title'))
            yield ').</p>\n'
        l_1_row = missing
    yield '\n'
    if environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'known'):
        pass
        yield '<h2 id="known">Known deviations ('
        yield escape(t_2(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'known')))
        yield ') of baseline <code>'
        yield escape(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'baseline'))
        yield '</code></h2>\n'
        for l_1_row in environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'known'):
            _loop_vars = {}
            pass
            yield '<details class="line" id="'
            yield escape(environment.getattr(l_1_row, 'id'))
            yield '"><summary><span class="id">'
            yield escape(environment.getattr(l_1_row, 'id'))
            yield '</span> <span class="known">'
            yield escape(environment.getattr(l_1_row, 'known_deviation'))
            yield '</span> — '
            yield escape(environment.getattr(l_1_row, 'detail'))
            yield '</summary>\n<h3>'
            yield escape(context.call((undefined(name='requirement_head') if l_0_requirement_head is missing else l_0_requirement_head), l_1_row, _loop_vars=_loop_vars))
            yield '</h3>\n'
            yield escape(context.call((undefined(name='failures_of') if l_0_failures_of is missing else l_0_failures_of), l_1_row, _loop_vars=_loop_vars))
            yield '\n</details>\n'
        l_1_row = missing
    yield '\n<h2 id="requirements">Every requirement</h2>\n<details><summary>'
    l_1_loop = missing
    for l_1_status, l_1_loop in LoopContext((undefined(name='statuses') if l_0_statuses is missing else l_0_statuses), undefined):
        _loop_vars = {}
        pass
        yield escape(environment.getitem(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'counts'), l_1_status))
        yield ' '
        yield escape(l_1_status)
        yield escape((', ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 151 in 'report.html.j2' evaluated to false and no else section was defined.")))
    l_1_loop = l_1_status = missing
    yield ': each with the page\'s sentence, its evidence and why it was not judged</summary>\n<p class="small">Evidence: <b>recorded</b> = a real IAM response of this action was seen; <b>documented</b> = the page or AWS\n  documentation says so; <b>analogy</b> = seen for other IAM actions or other query services.</p>\n<table class="requirements">\n  <colgroup><col class="c-id"><col class="c-cat"><col><col><col class="c-ev"><col class="c-status"></colgroup>\n  <tr><th>id</th><th>category</th><th>requirement</th><th>the page says</th><th>evidence</th><th>status</th></tr>\n'
    for l_1_r in context.call(environment.getattr(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'rows'), 'values')):
        _loop_vars = {}
        pass
        yield '  <tr id="row-'
        yield escape(environment.getattr(l_1_r, 'id'))
        yield '"><td class="id">'
        if (environment.getattr(l_1_r, 'status') in ('failed', 'error')):
            pass
            yield '<a href="#'
            yield escape(environment.getattr(l_1_r, 'id'))
            yield '">'
            yield escape(environment.getattr(l_1_r, 'id'))
            yield '</a>'
        else:
            pass
            yield escape(environment.getattr(l_1_r, 'id'))
        yield '</td>\n    <td>'
        yield escape(environment.getattr(l_1_r, 'category'))
        yield '</td><td>'
        yield escape(environment.getattr(l_1_r, 'title'))
        yield '</td><td><q>'
        yield escape(environment.getattr(l_1_r, 'source'))
        yield '</q></td>\n    <td>'
        yield escape(environment.getattr(environment.getattr(l_1_r, 'shown'), 'evidence_level'))
        if environment.getattr(environment.getattr(l_1_r, 'shown'), 'evidence_source'):
            pass
            yield '<br><span class="small">'
            yield escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), environment.getattr(environment.getattr(l_1_r, 'shown'), 'evidence_source'), _loop_vars=_loop_vars))
            yield '</span>'
        yield '</td>\n    <td class="'
        yield escape(('known' if environment.getattr(l_1_r, 'known_deviation') else environment.getattr(l_1_r, 'status')))
        yield '">'
        yield escape(environment.getattr(l_1_r, 'status'))
        if environment.getattr(l_1_r, 'known_deviation'):
            pass
            yield ' (known)'
        if (environment.getattr(l_1_r, 'reason') and (environment.getattr(l_1_r, 'status') != 'failed')):
            pass
            yield '<br><span class="small">'
            yield escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), environment.getattr(l_1_r, 'reason'), _loop_vars=_loop_vars))
            yield '</span>'
        yield '</td></tr>\n'
    l_1_r = missing
    yield '</table>\n</details>\n'
    if environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'coverage'), 'clauses'):
        pass
        yield '<details><summary>Coverage: each clause of the page under each condition</summary>\n<p class="small">A cell names the requirements that judge the clause under that condition, coloured by this run\'s status;\n  hover a clause for the page\'s words.</p>\n<table class="coverage">\n  <colgroup><col class="c-clause">'
        for l_1_condition in environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'coverage'), 'conditions'):
            _loop_vars = {}
            pass
            yield '<col>'
        l_1_condition = missing
        yield '</colgroup>\n  <tr><th>clause</th>'
        for (l_1_condition, l_1_meaning) in environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'coverage'), 'conditions'):
            _loop_vars = {}
            pass
            yield '<th title="'
            yield escape(l_1_meaning)
            yield '">'
            yield escape(l_1_condition)
            yield '</th>'
        l_1_condition = l_1_meaning = missing
        yield '</tr>\n'
        for l_1_clause in environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'coverage'), 'clauses'):
            l_1_dict = resolve('dict')
            l_1_cells = missing
            _loop_vars = {}
            pass
            l_1_cells = context.call((undefined(name='dict') if l_1_dict is missing else l_1_dict), environment.getattr(l_1_clause, 'cells'), _loop_vars=_loop_vars)
            _loop_vars['cells'] = l_1_cells
            yield '  <tr><td title="'
            yield escape(environment.getattr(l_1_clause, 'source'))
            yield '">'
            yield escape(environment.getattr(l_1_clause, 'clause'))
            yield ' <span class="small">('
            yield escape(environment.getattr(l_1_clause, 'kind'))
            yield ')</span></td>\n'
            for (l_2_condition, l_2_meaning) in environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'coverage'), 'conditions'):
                _loop_vars = {}
                pass
                yield '<td>'
                for l_3_rid in context.call(environment.getattr((undefined(name='cells') if l_1_cells is missing else l_1_cells), 'get'), l_2_condition, (), _loop_vars=_loop_vars):
                    l_3_r = missing
                    _loop_vars = {}
                    pass
                    l_3_r = context.call(environment.getattr(environment.getattr((undefined(name='run') if l_0_run is missing else l_0_run), 'rows'), 'get'), l_3_rid, _loop_vars=_loop_vars)
                    _loop_vars['r'] = l_3_r
                    yield '<a href="#row-'
                    yield escape(l_3_rid)
                    yield '" class="'
                    yield escape((environment.getattr((undefined(name='r') if l_3_r is missing else l_3_r), 'status') if (undefined(name='r') if l_3_r is missing else l_3_r) else ''))
                    yield '">'
                    yield escape(l_3_rid)
                    yield '</a> '
                l_3_rid = l_3_r = missing
                yield '</td>'
            l_2_condition = l_2_meaning = missing
            yield '</tr>\n'
        l_1_clause = l_1_dict = l_1_cells = missing
        yield '</table>\n</details>\n'
    yield '\n'
    if (((environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'retries_and_waits') or environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cleanup_problems')) or environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'kept_resources')) or environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'shortened')):
        pass
        yield '<h2 id="run">The run</h2>\n'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cleanup_problems'):
            pass
            yield '<p><b>Cleanup</b> left behind (run <code>iam-conformance cleanup</code>):</p>\n<ul>'
            for l_1_p in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cleanup_problems'):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(context.call((undefined(name='long_value') if l_0_long_value is missing else l_0_long_value), l_1_p, _loop_vars=_loop_vars))
                yield '</li>'
            l_1_p = missing
            yield '</ul>'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'kept_resources'):
            pass
            yield '<p>Kept on the target (--keep-resources): '
            yield escape(t_1(context.eval_ctx, environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'kept_resources'), ', '))
            yield '. Remove them with <code>iam-conformance cleanup</code>.</p>'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'retries_and_waits'):
            pass
            yield '<details><summary>Retries and waits ('
            yield escape(t_2(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'retries_and_waits')))
            yield ')</summary>\n<ul>'
            for l_1_line in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'retries_and_waits'):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(l_1_line)
                yield '</li>'
            l_1_line = missing
            yield '</ul></details>'
        if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'shortened'):
            pass
            yield "<p>Shortened to stay within the report folder's bound:</p>\n<ul>"
            for l_1_s in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'shortened'):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(l_1_s)
                yield '</li>'
            l_1_s = missing
            yield '</ul>'
    yield '</body>\n</html>'

blocks = {}
debug_info = '4=32&5=38&6=44&7=58&9=63&10=73&11=83&13=97&14=105&15=109&16=123&17=129&18=136&19=148&20=161&21=164&22=169&23=178&24=185&25=198&26=220&30=231&31=238&33=248&34=255&35=270&36=277&37=286&38=296&46=307&87=317&88=325&91=329&92=336&93=343&94=357&95=362&96=366&97=370&99=378&100=389&101=406&102=418&103=421&104=423&108=432&109=435&110=445&111=449&112=451&113=453&118=457&119=460&120=462&121=466&122=468&123=470&124=472&129=482&130=485&131=490&132=494&133=499&135=519&136=523&140=529&141=532&142=536&143=540&144=548&145=550&151=555&157=564&158=568&159=581&160=587&161=594&162=600&166=608&171=611&172=617&173=627&174=635&175=641&181=665&183=668&184=671&185=679&186=684&187=689&188=697&189=700'