# Compiled by jinja2 3.1.6 from conformance/reports/templates/matrix.html.j2 (tools/report_templates.py).
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'matrix.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_m = resolve('m')
    l_0_views = missing
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
        t_3 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    pass
    l_0_views = context.vars['views'] = environment.get_template('_views.html.j2', 'matrix.html.j2')._get_default_module(context)
    context.exported_vars.discard('views')
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>iam-conformance matrix: '
    yield escape(t_1(context.eval_ctx, t_3(context, environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'columns'), attribute='label'), ', '))
    yield '</title>\n'
    yield escape(context.call(environment.getattr((undefined(name='views') if l_0_views is missing else l_0_views), 'style')))
    yield '\n<style>\n  thead th { position: sticky; top: 0; }\n  td.cell { min-width: 9em; }\n</style>\n</head>\n<body>\n<h1>ListSigningCertificates: '
    yield escape(t_2(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'requirements')))
    yield ' requirements × '
    yield escape(t_2(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'columns')))
    yield ' implementations</h1>\n<p>Each cell is one run\'s status for one requirement; <span class="known">known</span> marks a failure the run\'s\n  baseline lists. Open a cell for its evidence: the broken expectation, the response, and a curl line that replays\n  the request. Generated '
    yield escape(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'generated'))
    yield '.</p>\n<table>\n  <thead>\n  <tr><th>id</th><th>requirement</th>\n'
    for l_1_col in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'columns'):
        _loop_vars = {}
        pass
        yield '<th>'
        yield escape(environment.getattr(l_1_col, 'label'))
        yield '</th>'
    l_1_col = missing
    yield '</tr>\n  </thead>\n  <tr><th></th><th>run</th>\n'
    for l_1_col in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'columns'):
        _loop_vars = {}
        pass
        yield '    <td>'
        if environment.getattr(l_1_col, 'incomplete'):
            pass
            yield '<span class="incomplete">incomplete</span>'
            if environment.getattr(l_1_col, 'incomplete_reasons'):
                pass
                yield ': '
                yield escape(t_1(context.eval_ctx, environment.getattr(l_1_col, 'incomplete_reasons'), '; '))
        else:
            pass
            yield '<span class="'
            yield escape(environment.getattr(l_1_col, 'verdict'))
            yield '">'
            yield escape(environment.getattr(l_1_col, 'verdict'))
            yield '</span>'
        if environment.getattr(l_1_col, 'gate'):
            pass
            yield '<br>gate '
            yield escape(environment.getattr(l_1_col, 'gate'))
        if environment.getattr(l_1_col, 'baseline'):
            pass
            yield ' (baseline '
            yield escape(environment.getattr(l_1_col, 'baseline'))
            yield ')'
        yield '<br>\n      <span class="reason">'
        yield escape(environment.getattr(l_1_col, 'target'))
        yield ' · '
        yield escape(environment.getattr(l_1_col, 'started'))
        yield ' · suite '
        yield escape(environment.getattr(l_1_col, 'suite_version'))
        yield '</span><br>\n      '
        yield escape(environment.getattr(environment.getattr(l_1_col, 'counts'), 'passed'))
        yield ' passed, '
        yield escape(environment.getattr(environment.getattr(l_1_col, 'counts'), 'failed'))
        yield ' failed ('
        yield escape(environment.getitem(environment.getattr(l_1_col, 'counts'), 'known deviations'))
        yield ' known),\n      '
        yield escape(environment.getattr(environment.getattr(l_1_col, 'counts'), 'error'))
        yield ' error, '
        yield escape((environment.getattr(environment.getattr(l_1_col, 'counts'), 'skipped') + environment.getattr(environment.getattr(l_1_col, 'counts'), 'untested')))
        yield ' not judged</td>\n'
    l_1_col = missing
    yield '</tr>\n'
    for l_1_r in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'requirements'):
        _loop_vars = {}
        pass
        yield '  <tr id="'
        yield escape(environment.getattr(l_1_r, 'id'))
        yield '"><td class="id">'
        yield escape(environment.getattr(l_1_r, 'id'))
        yield '</td><td title="'
        yield escape(environment.getattr(l_1_r, 'source'))
        yield '">'
        yield escape(environment.getattr(l_1_r, 'title'))
        yield '</td>\n'
        for l_2_cell in environment.getattr(l_1_r, 'cells'):
            _loop_vars = {}
            pass
            yield '    <td class="cell"><span class="'
            yield escape(environment.getattr(l_2_cell, 'status'))
            yield '">'
            yield escape(environment.getattr(l_2_cell, 'status'))
            yield '</span>'
            if (environment.getattr(l_2_cell, 'known_deviation') and (environment.getattr(l_2_cell, 'status') == 'failed')):
                pass
                yield ' <span class="known">known</span>'
            if (environment.getattr(l_2_cell, 'failures') or environment.getattr(l_2_cell, 'reason')):
                pass
                yield escape(context.call(environment.getattr((undefined(name='views') if l_0_views is missing else l_0_views), 'evidence'), l_2_cell, _loop_vars=_loop_vars))
            yield '</td>\n'
        l_2_cell = missing
        yield '</tr>\n'
    l_1_r = missing
    yield '</table>\n</body>\n</html>'

blocks = {}
debug_info = '1=31&6=34&7=36&14=38&17=42&21=44&24=52&25=56&26=66&27=70&28=80&29=86&30=92&32=98&33=102&34=110&35=114&36=121'