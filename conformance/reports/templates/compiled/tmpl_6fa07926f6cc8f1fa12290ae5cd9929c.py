# Compiled by jinja2 3.1.6 from conformance/reports/templates/diff.html.j2 (tools/report_templates.py).
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'diff.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_d = resolve('d')
    l_0_views = l_0_outcome = missing
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
        t_3 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_4 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    pass
    l_0_views = context.vars['views'] = environment.get_template('_views.html.j2', 'diff.html.j2')._get_default_module(context)
    context.exported_vars.discard('views')
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>iam-conformance diff: '
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'conclusion'))
    yield '</title>\n'
    yield escape(context.call(environment.getattr((undefined(name='views') if l_0_views is missing else l_0_views), 'style')))
    yield '\n<style>\n  .contract { color: #b00020; font-weight: bold; } .behaviour { color: #8a5a00; font-weight: bold; } .noise { color: #777; }\n  .side { display: flex; gap: 1em; } .side > div { flex: 1; min-width: 0; } .side pre { max-width: none; }\n</style>\n</head>\n<body>\n'
    l_0_outcome = ('contract' if environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'counts'), 'contract') else ('incomplete' if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'incomplete_reasons') else ('behaviour' if environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'counts'), 'behaviour') else 'conformant')))
    context.vars['outcome'] = l_0_outcome
    context.exported_vars.add('outcome')
    yield '<h1>ListSigningCertificates, recording → target: <span class="'
    yield escape((undefined(name='outcome') if l_0_outcome is missing else l_0_outcome))
    yield '">'
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'conclusion'))
    yield '</span></h1>\n<table>\n  <tr><th></th><th>target</th><th>when</th><th>suite</th><th>seed</th><th>profile</th><th>verdict</th></tr>\n  <tr><th>recorded</th><td>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'target'))
    yield '</td><td>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'recorded_at'))
    yield '</td><td>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'suite_version'))
    yield '</td>\n    <td>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'seed'))
    yield '</td><td>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'profile'))
    yield '</td><td>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'verdict'))
    yield '</td></tr>\n  <tr><th>replayed</th><td>'
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'target'))
    yield '</td><td>'
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'started'))
    yield '</td><td colspan="3">'
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'requests_replayed'))
    yield ' recorded requests, '
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'requests_sent'))
    yield ' sent, '
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'duration_s'))
    yield ' s</td>\n    <td>'
    yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'judgments_judged'))
    yield ' judgments made again</td></tr>\n</table>\n<p>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'counts'), 'contract'))
    yield ' contract, '
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'counts'), 'behaviour'))
    yield ' behaviour, '
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'counts'), 'noise'))
    yield ' noise;\n  recording <code>'
    yield escape(environment.getattr(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recording'), 'folder'))
    yield '</code>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'baseline'):
        pass
        yield ', baseline <code>'
        yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'baseline'))
        yield '</code>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'allowlist'):
        pass
        yield ', allow-list <code>'
        yield escape(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'allowlist'))
        yield '</code>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'strict'):
        pass
        yield ', --strict'
    yield '.</p>\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'incomplete_reasons'):
        pass
        yield '<p class="incomplete">incomplete: '
        yield escape(t_1(context.eval_ctx, environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'incomplete_reasons'), '; '))
        yield '</p>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cleanup_problems'):
        pass
        yield '<p class="incomplete">cleanup: '
        yield escape(t_1(context.eval_ctx, environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cleanup_problems'), '; '))
        yield '</p>'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'not_judged'):
        pass
        yield '<details><summary>'
        yield escape(t_2(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'not_judged')))
        yield ' reasons some judgments could not be made again</summary>\n  <ul>'
        for l_1_why in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'not_judged'):
            _loop_vars = {}
            pass
            yield '<li>'
            yield escape(l_1_why)
            yield '</li>'
        l_1_why = missing
        yield '</ul></details>'
    yield '\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'behaviour_by_key'):
        pass
        yield '<h2 class="behaviour">behaviour differences by kind ('
        yield escape(t_2(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'behaviour_by_key')))
        yield ')</h2>\n<table>\n  <tr><th>allow-list key</th><th>requests</th><th>first</th><th>recorded</th><th>new</th></tr>\n'
        for l_1_g in environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'behaviour_by_key'):
            _loop_vars = {}
            pass
            yield '  <tr><td class="id">'
            yield escape(environment.getattr(l_1_g, 'key'))
            if environment.getattr(l_1_g, 'allowed'):
                pass
                yield ' <span class="known">(allowed: '
                yield escape(environment.getattr(l_1_g, 'allowed'))
                yield ')</span>'
            yield '</td><td>'
            yield escape(environment.getattr(l_1_g, 'requests'))
            yield '</td>\n    <td><a href="#r'
            yield escape(environment.getattr(l_1_g, 'first'))
            yield '">#'
            yield escape(environment.getattr(l_1_g, 'first'))
            yield '</a></td><td>'
            yield escape(environment.getattr(l_1_g, 'recorded'))
            yield '</td><td>'
            yield escape(environment.getattr(l_1_g, 'new'))
            yield '</td></tr>\n'
        l_1_g = missing
        yield '</table>\n'
    yield '\n'
    for l_1_kind in ('contract', 'behaviour'):
        l_1_shown = missing
        _loop_vars = {}
        pass
        l_1_shown = t_3(context.eval_ctx, t_4(context, environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'differences'), 'class', 'equalto', l_1_kind))
        _loop_vars['shown'] = l_1_shown
        if (undefined(name='shown') if l_1_shown is missing else l_1_shown):
            pass
            yield '<h2 class="'
            yield escape(l_1_kind)
            yield '">'
            yield escape(l_1_kind)
            yield ' ('
            yield escape(t_2((undefined(name='shown') if l_1_shown is missing else l_1_shown)))
            yield ')</h2>\n'
            for l_2_r in (undefined(name='shown') if l_1_shown is missing else l_1_shown):
                _loop_vars = {}
                pass
                yield '<h3 id="r'
                yield escape(environment.getattr(l_2_r, 'seq'))
                yield '">#'
                yield escape(environment.getattr(l_2_r, 'seq'))
                yield ' '
                yield escape(environment.getattr(l_2_r, 'method'))
                yield ' '
                yield escape(environment.getattr(l_2_r, 'action'))
                yield ' <span class="reason">'
                yield escape((environment.getattr(l_2_r, 'test') or 'outside the tests'))
                yield ' ('
                yield escape(environment.getattr(l_2_r, 'phase'))
                yield '), signed by '
                yield escape(environment.getattr(l_2_r, 'signed_by'))
                yield '</span></h3>\n<pre>'
                for (l_3_name, l_3_value) in context.call(environment.getattr(environment.getattr(l_2_r, 'params'), 'items'), _loop_vars=_loop_vars):
                    _loop_vars = {}
                    pass
                    yield escape(l_3_name)
                    yield '='
                    yield escape(l_3_value)
                    yield '\n'
                l_3_name = l_3_value = missing
                yield '</pre>\n'
                if environment.getattr(l_2_r, 'findings'):
                    pass
                    yield '<ul>'
                    for l_3_f in environment.getattr(l_2_r, 'findings'):
                        _loop_vars = {}
                        pass
                        yield '  <li class="contract">'
                        yield escape(environment.getattr(l_3_f, 'requirement'))
                        yield ' <code>'
                        yield escape(environment.getattr(l_3_f, 'check'))
                        yield '</code>: expected '
                        yield escape(environment.getattr(l_3_f, 'expected'))
                        yield '; got '
                        yield escape(environment.getattr(l_3_f, 'actual'))
                        yield ' <span class="reason">(on the recorded answer: '
                        yield escape(environment.getattr(l_3_f, 'recorded_verdict'))
                        if environment.getattr(l_3_f, 'after_refused_write'):
                            pass
                            yield '; after the target refused the write '
                            yield escape(environment.getattr(l_3_f, 'after_refused_write'))
                            yield ' the recording made'
                        yield ')</span>'
                        if environment.getattr(l_3_f, 'known'):
                            pass
                            yield ' <span class="known">known deviation: '
                            yield escape(environment.getattr(l_3_f, 'known'))
                            yield '</span>'
                        yield '</li>\n'
                    l_3_f = missing
                    yield '</ul>'
                yield '<table>\n  <tr><th>aspect</th><th>where</th><th>recorded</th><th>new</th><th>allow-list key</th></tr>\n'
                for l_3_x in environment.getattr(l_2_r, 'differences'):
                    _loop_vars = {}
                    pass
                    yield '  <tr><td>'
                    yield escape(environment.getattr(l_3_x, 'aspect'))
                    yield '</td><td class="id">'
                    yield escape(environment.getattr(l_3_x, 'where'))
                    yield '</td><td>'
                    yield escape(environment.getattr(l_3_x, 'recorded'))
                    yield '</td><td>'
                    yield escape(environment.getattr(l_3_x, 'new'))
                    yield '</td>\n    <td class="id">'
                    yield escape(environment.getattr(l_3_x, 'key'))
                    if environment.getattr(l_3_x, 'allowed'):
                        pass
                        yield ' <span class="known">(allowed: '
                        yield escape(environment.getattr(l_3_x, 'allowed'))
                        yield ')</span>'
                    yield '</td></tr>\n'
                l_3_x = missing
                yield '</table>\n<details><summary>the recorded and the new answer</summary>\n<div class="side">\n  <div><p>recorded: HTTP '
                yield escape(environment.getattr(environment.getattr(l_2_r, 'recorded'), 'status'))
                yield ' '
                yield escape((environment.getattr(environment.getattr(l_2_r, 'recorded'), 'content_type') or ''))
                yield '</p><pre>'
                yield escape(environment.getattr(l_2_r, 'recorded_shown'))
                yield '</pre></div>\n  <div><p>new: '
                if environment.getattr(l_2_r, 'new'):
                    pass
                    yield 'HTTP '
                    yield escape(environment.getattr(environment.getattr(l_2_r, 'new'), 'status'))
                    yield ' '
                    yield escape((environment.getattr(environment.getattr(l_2_r, 'new'), 'content_type') or ''))
                else:
                    pass
                    yield 'not sent'
                yield '</p><pre>'
                yield escape(environment.getattr(l_2_r, 'new_shown'))
                yield '</pre></div>\n</div>\n</details>\n'
            l_2_r = missing
    l_1_kind = l_1_shown = missing
    yield '</body>\n</html>'

blocks = {}
debug_info = '1=37&6=40&7=42&14=44&15=48&18=52&19=58&20=64&21=74&23=76&24=82&25=98&26=103&27=108&28=113&30=122&31=125&34=127&35=131&36=140&41=151&42=155&43=157&44=160&45=166&46=170&47=184&49=193&50=200&54=224&55=228&56=236&61=245&62=251'